import { describe, expect, it } from 'vitest';
import { configChanges } from './config-changes';

const nets = [{ cidr: '10.64.0.0/16', label: 'prod', deviceIp: '10.64.255.254' }];
const gw = { publicKey: 'G'.repeat(43) + '=', endpoint: '203.0.113.7:51820', allowedIps: ['10.64.0.0/16'] };
const body = { addresses: ['10.64.255.254/32'], peers: [gw], dns: ['10.64.0.1'] };

describe('configChanges', () => {
  it('says nothing when nothing differs, in any order', () => {
    expect(configChanges(body, { ...body, peers: [{ ...gw, allowedIps: [...gw.allowedIps] }] }, nets)).toEqual([]);
  });

  it('names a moved gateway with both endpoints', () => {
    expect(configChanges(body, { ...body, peers: [{ ...gw, endpoint: '203.0.113.8:51820' }] }, nets))
      .toEqual(['The gateway of prod moved from 203.0.113.7:51820 to 203.0.113.8:51820.']);
  });

  it('names new and gone peers, DNS and networks to join', () => {
    const host = { publicKey: 'H'.repeat(43) + '=', endpoint: null, allowedIps: ['10.64.0.2/32'] };
    expect(configChanges(body, { addresses: body.addresses, peers: [host], dns: [] }, nets, ['staging'])).toEqual([
      'New peer: host 10.64.0.2.',
      'The gateway of prod is gone (was at 203.0.113.7:51820).',
      'No DNS server any more (was 10.64.0.1).',
      'Can join staging, which this config does not include.',
    ]);
  });

  it('says only what it knows when the given config was not recorded', () => {
    expect(configChanges(null, body, nets)).toEqual([]);
    expect(configChanges(null, body, nets, ['staging'])).toEqual(['Can join staging, which this config does not include.']);
  });
});
