import type { ServiceHandler } from './data-service'

// User v2 - Getdevice and Getgoals (reference: userv2-getdevice, user_device_object,
// userv2-getgoals).

export interface Goals {
  steps: number
  sleep: number
  weight: { value: number; unit: number }
}

export const getdevice: ServiceHandler = ({ data }) => ({
  devices: [data.devices.scale, data.devices.bpm, data.devices.watch, data.devices.sleep],
})

export const getgoals: ServiceHandler = ({ data }) => ({ goals: data.goals })
