import type { SeededUser } from '../users'
import { addDays, ymdAt, zonedSeconds } from './calendar'
import { createPrng, type Prng, seededHex40 } from './prng'

// What every service's seed needs: the user, the run of local days the data covers, when the
// data ends, the user's devices, and a PRNG per series so one series never shifts another.

export const SEED_DAYS = 180

export interface Device {
  type: 'Scale' | 'Blood Pressure Monitor' | 'Activity Tracker' | 'Sleep Monitor'
  /** May be "" (aiowithings' device.json: a Sleep Monitor without a model name). */
  model: string
  model_id: number
  /** "unknown" for a device that reports none (aiowithings' device.json). */
  battery: 'high' | 'medium' | 'low' | 'unknown'
  deviceid: string
  hash_deviceid: string
  timezone: string
  /** null for the scale: Withings does not always know it (home-assistant/core's devices.json
   * fixture, python-withings issue 587). */
  first_session_date: number | null
  last_session_date: number
}

export interface Devices {
  scale: Device
  bpm: Device
  watch: Device
  /** A Sleep Analyzer: mains-powered, answered with no model name and an unknown battery. */
  sleep: Device
}

export interface SeedContext {
  user: SeededUser
  /** Local days, oldest first; the last one is "today" when the emulator was created. */
  days: readonly string[]
  /** Unix seconds at which the data ends: the emulator clock at creation. */
  until: number
  devices: Devices
  /** Unix seconds of `minutes` past local midnight of `ymd` in the user's zone. */
  at(ymd: string, minutes: number): number
  random(series: string): Prng
}

export function createSeedContext(user: SeededUser, createdAtMs: number): SeedContext {
  const today = ymdAt(createdAtMs, user.timezone)
  const days = Array.from({ length: SEED_DAYS }, (_, i) => addDays(today, i - SEED_DAYS + 1))
  const until = Math.floor(createdAtMs / 1000)
  const at = (ymd: string, minutes: number) => zonedSeconds(ymd, minutes, user.timezone)
  const random = (series: string) => createPrng(`${user.userid}:${series}`)
  const firstSession = at(addDays(days[0] ?? today, -30), 10 * 60)

  const device = (
    key: string,
    type: Device['type'],
    model: string,
    model_id: number,
    battery: Device['battery'],
  ): Device => {
    const deviceid = seededHex40(`${user.userid}:device:${key}`)
    return {
      type,
      model,
      model_id,
      battery,
      deviceid,
      hash_deviceid: deviceid,
      timezone: user.timezone,
      first_session_date: type === 'Scale' ? null : firstSession,
      last_session_date: Math.max(firstSession, until - random(`session:${key}`).int(600, 7200)),
    }
  }

  return {
    user,
    days,
    until,
    at,
    random,
    // Model names and ids from the reference's device tables (Body Scan 10, whose weighings
    // repeat types with positions; BPM Core 44; ScanWatch 93); the Sleep Analyzer as
    // python-withings issue 587 lists one (model_id 63), with aiowithings' "" and "unknown".
    devices: {
      scale: device('scale', 'Scale', 'Body Scan', 10, 'high'),
      bpm: device('bpm', 'Blood Pressure Monitor', 'BPM Core', 44, 'medium'),
      watch: device('watch', 'Activity Tracker', 'ScanWatch', 93, 'high'),
      sleep: device('sleep-analyzer', 'Sleep Monitor', '', 63, 'unknown'),
    },
  }
}
