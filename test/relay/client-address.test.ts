import { Hono } from 'hono'
import { describe, expect, test } from 'vitest'
import { addressKey, clientKey, UNKNOWN_CLIENT } from '../../relay/core/http/client-address'

describe('addressKey', () => {
  test.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:DB8:0001:0002::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['[2001:db8:1:2::9]', '2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::192.0.2.33', '64:ff9b:0:0::/64'],
    ['64:ff9b:0:0:0:0:192.0.2.33', '64:ff9b:0:0::/64'],
    ['2001:db8::ffff:192.0.2.1', '2001:db8:0:0::/64'],
    ['1:2:3:4:5:6::7', '1:2:3:4::/64'],
    ['::', '0:0:0:0::/64'],
  ])('%s → %s', (address, key) => {
    expect(addressKey(address)).toBe(key)
  })

  test.each([
    '',
    'unknown',
    '256.1.1.1',
    '1.2.3',
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    'gggg::1',
    '2001:db8:1:2:3:4:5',
    '1:2:3:4:5:6:7::8',
    '2001:db8::12345',
    '2001:db8::[1',
    '2001:db8::]1',
    '::ffff:1.2.3.4.5',
    '0177.0.0.1',
    '1e2.0.0.1',
    '<script>',
  ])('%j is no address', (text) => {
    expect(addressKey(text)).toBeUndefined()
  })
})

describe('clientKey', () => {
  const keyOf = async (
    options: Parameters<typeof clientKey>[0],
    headers: Record<string, string> = {},
  ) => {
    const app = new Hono().get('/', (c) => c.text(clientKey(options)(c)))
    return (await app.request('/', { headers })).text()
  }
  const fromSocket = () => '198.51.100.1'

  test('without trusted proxies: the connection, whatever X-Forwarded-For claims', async () => {
    const key = await keyOf(
      { trustProxyHops: 0, connectionAddress: fromSocket },
      { 'x-forwarded-for': '203.0.113.9' },
    )
    expect(key).toBe('198.51.100.1')
  })

  test('behind one proxy: the last hop, the one that proxy wrote; forged ones to its left are ignored', async () => {
    const key = await keyOf(
      { trustProxyHops: 1, connectionAddress: fromSocket },
      { 'x-forwarded-for': '10.9.9.9, 192.0.2.50,203.0.113.9' },
    )
    expect(key).toBe('203.0.113.9')
  })

  test('behind two proxies: the second hop from the right', async () => {
    const key = await keyOf(
      { trustProxyHops: 2, connectionAddress: fromSocket },
      { 'x-forwarded-for': '10.9.9.9, 203.0.113.9, 192.0.2.1' },
    )
    expect(key).toBe('203.0.113.9')
  })

  test('a missing, short or garbled X-Forwarded-For falls back to the connection', async () => {
    const options = { trustProxyHops: 2, connectionAddress: fromSocket }
    expect(await keyOf(options)).toBe('198.51.100.1')
    expect(await keyOf(options, { 'x-forwarded-for': '203.0.113.9' })).toBe('198.51.100.1')
    expect(await keyOf(options, { 'x-forwarded-for': 'evil, x' })).toBe('198.51.100.1')
  })

  test('no address from the runtime: one shared key', async () => {
    expect(await keyOf({ trustProxyHops: 0 })).toBe(UNKNOWN_CLIENT)
    expect(await keyOf({ trustProxyHops: 0, connectionAddress: () => undefined })).toBe(
      UNKNOWN_CLIENT,
    )
  })
})
