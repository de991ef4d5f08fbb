import type { Insertable } from 'kysely'
import type { DeviceTable, HeartRecordTable } from '../db/schema'
import {
  integerOrNull,
  isRecord,
  measuredOrNull,
  readEach,
  textOrNull,
  timeOrNull,
} from './field-readers'

// Heart v2 - List's recordings (reference: heart_measurement_object), keyed by their ECG's
// signalid, and User v2 - Getdevice's devices (reference: user_device_object; a scale's
// `first_session_date` may be null: home-assistant/core's devices.json fixture).

export type HeartRow = Insertable<HeartRecordTable>

export function normaliseHeartRecords(userid: number, items: readonly unknown[]) {
  return readEach(items, (item): HeartRow | undefined => {
    const ecg = isRecord(item.ecg) ? item.ecg : undefined
    const signalid = ecg ? integerOrNull(ecg.signalid) : null
    const at = timeOrNull(item.timestamp)
    if (!ecg || signalid === null || !at) return undefined
    const pressure = isRecord(item.bloodpressure) ? item.bloodpressure : {}
    return {
      signalid,
      userid,
      at,
      deviceid: textOrNull(item.deviceid),
      model: integerOrNull(item.model),
      afib: integerOrNull(ecg.afib),
      diastole: measuredOrNull(pressure.diastole),
      systole: measuredOrNull(pressure.systole),
      heart_rate: measuredOrNull(item.heart_rate),
      timezone: textOrNull(item.timezone),
      modified_at: timeOrNull(item.modified),
      raw: JSON.stringify(item),
    }
  })
}

export type DeviceRow = Insertable<DeviceTable>

export function normaliseDevices(userid: number, items: readonly unknown[]) {
  return readEach(items, (item): DeviceRow | undefined => {
    const deviceid = textOrNull(item.deviceid)
    if (deviceid === null) return undefined
    return {
      userid,
      deviceid,
      hash_deviceid: textOrNull(item.hash_deviceid),
      type: textOrNull(item.type),
      model: textOrNull(item.model),
      model_id: integerOrNull(item.model_id),
      battery: textOrNull(item.battery),
      timezone: textOrNull(item.timezone),
      first_session_date: timeOrNull(item.first_session_date),
      last_session_date: timeOrNull(item.last_session_date),
      raw: JSON.stringify(item),
    }
  })
}
