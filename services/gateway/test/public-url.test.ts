import { describe, expect, it } from 'vitest';
import { checkPublicHost, isNonPublicAddress, systemResolver, type ResolveHost } from '../src/jobs/public-url.js';

describe('isNonPublicAddress (no I/O)', () => {
  it('when the address is loopback, private, link-local, CGNAT or multicast (v4, v6, v4-in-v6), then it is refused', () => {
    for (const a of [
      '127.0.0.1',
      '10.2.3.4',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      'fc12::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:10.0.0.1',
      '64:ff9b::a9fe:a9fe',
      '2002:c0a8:0101::1',
      '::127.0.0.1', // IPv4-compatible, as the URL parser writes it: ::7f00:1
      '::7f00:1',
      '::a00:1',
      '::ffff:0:127.0.0.1', // SIIT
      '::ffff:0:a9fe:a9fe',
      '64:ff9b::127.0.0.1',
      '64:ff9b:1::a00:1',
      '2002:7f00:1::',
      '2001:0:a00:1::', // Teredo with a private server
      '2001:0:4136:e378:8000:63bf:f5ff:fffe', // Teredo whose client (XORed) is 10.0.0.1
      'fe80::5efe:10.0.0.1', // ISATAP
      '2001:db9::200:5efe:c0a8:101',
      'nonsense',
    ]) {
      expect(isNonPublicAddress(a), a).toBe(true);
    }
  });

  it('when the address is public, then it passes', () => {
    for (const a of ['93.184.215.14', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '2002:808:808::1'])
      expect(isNonPublicAddress(a), a).toBe(false);
  });
});

describe('checkPublicHost', () => {
  it('when any one of several resolved addresses is private, then the URL is refused', async () => {
    const resolve: ResolveHost = async () => [
      { address: '93.184.215.14', family: 4 },
      { address: '10.0.0.7', family: 4 },
    ];
    await expect(checkPublicHost('params.image_url', 'https://mixed.example/a.png', resolve)).rejects.toMatchObject({
      status: 400,
    });
  });

  it('when the real resolver resolves localhost (offline), then it is refused', async () => {
    await expect(checkPublicHost('params.image_url', 'https://localhost/a.png', systemResolver)).rejects.toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
  });

  it('when the URL names a private address in an IPv6 literal form, then it is refused without a lookup', async () => {
    const resolve: ResolveHost = async () => {
      throw new Error('no lookup expected');
    };
    for (const url of [
      'https://[::127.0.0.1]/a.png',
      'https://[::ffff:127.0.0.1]/a.png',
      'https://[64:ff9b::10.0.0.1]/a.png',
      'https://[2002:a9fe:a9fe::1]/a.png',
    ]) {
      await expect(checkPublicHost('params.image_url', url, resolve), url).rejects.toMatchObject({
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
  });

  it('when the name does not exist or its lookup times out, then 400 <FIELD>_UNRESOLVABLE naming the field', async () => {
    const fail =
      (code: string): ResolveHost =>
      async () => {
        throw Object.assign(new Error(code), { code });
      };
    await expect(
      checkPublicHost('params.image_url', 'https://x.example/a.png', fail('ENOTFOUND')),
    ).rejects.toMatchObject({ status: 400, code: 'IMAGE_URL_UNRESOLVABLE', details: [{ field: 'params.image_url' }] });
    await expect(checkPublicHost('callback_url', 'https://x.example/hook', fail('ETIMEOUT'))).rejects.toMatchObject({
      status: 400,
      code: 'CALLBACK_URL_UNRESOLVABLE',
    });
  });

  it('when the resolver fails with a server error, then 503 rather than blaming the caller', async () => {
    const resolve: ResolveHost = async () => {
      throw Object.assign(new Error('dns down'), { code: 'ESERVFAIL' });
    };
    await expect(checkPublicHost('params.image_url', 'https://x.example/a.png', resolve)).rejects.toMatchObject({
      status: 503,
    });
  });
});
