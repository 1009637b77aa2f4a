import { describe, expect, it } from 'vitest';
import { generateKeyPair } from '../wireguard/keys';
import { assemblePeerConfig, listenPortOf, type PeerConfigInput } from './peer-config';
import { renderPeerConfig } from './render';

const key = () => generateKeyPair().publicKey;
const self = { peerId: 'pe-self00000000', ip: '10.64.0.5', isGateway: false, endpoint: '203.0.113.5:51999' };
const hostAt = (peerId: string, ip: string, isGateway = false) => ({ peerId, ip, publicKey: key(), endpoint: `${ip}:51820`, isGateway, hasAgent: true });
const devices = [{ publicKey: key(), ip: '10.64.255.254' }, { publicKey: key(), ip: '10.64.255.253' }];

function input(hosts: PeerConfigInput['hosts']): PeerConfigInput {
  return { self, cidr: '10.64.0.0/16', listenPort: 51820, hosts: [{ ...self, publicKey: key(), hasAgent: false }, ...hosts], devices };
}

describe('assemblePeerConfig', () => {
  it('lists the other hosts and, without a gateway, every device', () => {
    const body = assemblePeerConfig(input([hostAt('pe-b00000000000', '10.64.0.9'), hostAt('pe-a00000000000', '10.64.0.2')]));
    expect(body.addresses).toEqual(['10.64.0.5/16']);
    expect(body.listenPort).toBe(51999);
    expect(body.peers.map((p) => p.allowedIps[0])).toEqual(['10.64.0.2/32', '10.64.0.9/32', '10.64.255.253/32', '10.64.255.254/32']);
    expect(body.peers[2].endpoint).toBeNull();
  });

  it('routes devices through the gateway when there is one', () => {
    const body = assemblePeerConfig(input([hostAt('pe-g00000000000', '10.64.0.1', true)]));
    expect(body.peers).toHaveLength(1);
    expect(body.peers[0].allowedIps).toEqual(['10.64.0.1/32', '10.64.240.0/20']);
  });

  it('takes the listen port from the endpoint, else the network', () => {
    expect(listenPortOf('[2001:db8::1]:4500', 51820)).toBe(4500);
    expect(listenPortOf(null, 51820)).toBe(51820);
  });

  it('renders a ListenPort and no DNS', () => {
    const pair = generateKeyPair();
    const text = renderPeerConfig(assemblePeerConfig(input([])), pair.privateKey);
    expect(text.split('\n').slice(0, 4)).toEqual(['[Interface]', `PrivateKey = ${pair.privateKey}`, 'ListenPort = 51999', 'Address = 10.64.0.5/16']);
    expect(text).not.toMatch(/^DNS/m);
  });
});
