import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SibylError } from '../../common/errors.js';
import { parseHostId } from '../../ring/endpoint.js';
import { firstTokenIndex } from '../../ring/ring-view.js';
import { MAX_TOKEN, MIN_TOKEN, type Token } from '../../ring/token.js';
import { TokenMetadata } from '../../ring/token-metadata.js';
import { RING_SIZE, TokenRange } from '../../ring/token-range.js';
import { endpoint, hostId, ringOf, token } from './ring-fixtures.js';

const threeNodes = () =>
  ringOf([
    { info: endpoint(1), tokens: [token(-100), token(200)] },
    { info: endpoint(2), tokens: [token(0)] },
    { info: endpoint(3, 'dc1', 'rack2'), tokens: [token(100)] },
  ]);

describe('TokenMetadata', () => {
  it('keeps the ring sorted with each token’s owner', () => {
    const ring = threeNodes();
    expect(ring.sortedTokens).toEqual([-100n, 0n, 100n, 200n]);
    expect(ring.owners).toEqual([hostId(1), hostId(2), hostId(3), hostId(1)]);
    expect(ring.ownerOf(token(100))).toBe(hostId(3));
    expect(ring.ownerOf(token(101))).toBeUndefined();
    expect(ring.tokensOf(hostId(1))).toEqual([-100n, 200n]);
    expect(ring.normalEndpoints()).toEqual([hostId(1), hostId(2), hostId(3)]);
  });

  it('finds the first ring token at or after a token, wrapping past the last', () => {
    const ring = threeNodes();
    expect(ring.firstToken(token(-100))).toBe(-100n);
    expect(ring.firstToken(token(1))).toBe(100n);
    expect(ring.firstToken(token(201))).toBe(-100n);
    expect(ring.firstToken(MIN_TOKEN)).toBe(-100n);
    expect(ring.firstToken(MAX_TOKEN)).toBe(-100n);
    expect(TokenMetadata.empty().firstTokenIndex(token(0))).toBe(-1);
  });

  it('gives the primary range holding a token, the wrapping one included', () => {
    const ring = threeNodes();
    expect(ring.primaryRangeFor(token(50)).toString()).toBe('(0,100]');
    expect(ring.primaryRangeFor(token(0)).toString()).toBe('(-100,0]');
    expect(ring.primaryRangeFor(token(300)).toString()).toBe('(200,-100]');
    expect(ring.primaryRangesOf(hostId(1)).map(String)).toEqual(['(200,-100]', '(100,200]']);
  });

  it('a single token owns the whole ring', () => {
    const ring = ringOf([{ info: endpoint(1), tokens: [token(42)] }]);
    expect(ring.primaryRangeFor(token(-5)).isFull()).toBe(true);
    expect(ring.ownership().get(hostId(1))).toBe(1);
  });

  it('primary ranges of all members cover the ring exactly once, and ownership sums to 1', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.bigInt(MIN_TOKEN, MAX_TOKEN), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 5 }),
        (tokens, nodeCount) => {
          const members = Array.from({ length: nodeCount }, (_, n) => ({
            info: endpoint(n + 1),
            tokens: tokens.filter((_, index) => index % nodeCount === n) as Token[],
          })).filter((member) => member.tokens.length > 0);
          const ring = ringOf(members);
          const ranges = members.flatMap((member) => ring.primaryRangesOf(member.info.hostId));
          expect(ranges.reduce((sum, range) => sum + range.size(), 0n)).toBe(RING_SIZE);
          const total = [...ring.ownership().values()].reduce((sum, share) => sum + share, 0);
          expect(total).toBeCloseTo(1, 9);
          for (const probe of tokens as Token[]) {
            const owner = ring.owners[firstTokenIndex(ring.sortedTokens, probe)];
            expect(ring.primaryRangesOf(owner!).some((range) => range.contains(probe))).toBe(true);
          }
        },
      ),
    );
  });

  it('is immutable: a change returns a new metadata with the next version', () => {
    const before = threeNodes();
    const after = before.updateNormalTokens(hostId(2), [token(50)]);
    expect(after.version).toBe(before.version + 1);
    expect(before.tokensOf(hostId(2))).toEqual([0n]);
    expect(after.tokensOf(hostId(2))).toEqual([50n]);
  });

  it('moves a token claimed again to its new owner', () => {
    const ring = threeNodes().updateNormalTokens(hostId(2), [token(0), token(100)]);
    expect(ring.ownerOf(token(100))).toBe(hostId(2));
    expect(ring.isMember(hostId(3))).toBe(false);
  });

  it('asserts on tokens for an endpoint it does not know', () => {
    expect(() => TokenMetadata.empty().updateNormalTokens(hostId(9), [token(1)])).toThrow(/assertion failed/);
  });

  it('records bootstrap tokens apart from the ring, and makes them normal when the node joins', () => {
    const joining = threeNodes()
      .withEndpoint(endpoint(4))
      .addBootstrapTokens(hostId(4), [token(150), token(50)]);
    expect(joining.sortedTokens).not.toContain(150n);
    expect(joining.bootstrappingEndpoints().get(hostId(4))).toEqual([50n, 150n]);
    const joined = joining.updateNormalTokens(hostId(4), [token(50), token(150)]);
    expect(joined.bootstrapTokens.size).toBe(0);
    expect(joined.ownerOf(token(150))).toBe(hostId(4));
  });

  it('refuses a bootstrap token another endpoint holds (TOKEN_COLLISION)', () => {
    const ring = threeNodes().withEndpoint(endpoint(4));
    try {
      ring.addBootstrapTokens(hostId(4), [token(100)]);
      expect.fail('expected a collision');
    } catch (error) {
      expect(error).toBeInstanceOf(SibylError);
      expect((error as SibylError).code).toBe('TOKEN_COLLISION');
      expect((error as Error).message).toBe(
        'Bootstrap Token collision between 127.0.0.3 and 127.0.0.4 (token 100)',
      );
    }
  });

  it('tracks leaving members, and the ring after they have left', () => {
    const ring = threeNodes().addLeavingEndpoint(hostId(3));
    expect(ring.isLeaving(hostId(3))).toBe(true);
    expect(ring.isMember(hostId(3))).toBe(true);
    const left = ring.afterAllLeft();
    expect(left.isMember(hostId(3))).toBe(false);
    expect(left.sortedTokens).toEqual([-100n, 0n, 200n]);
    expect(ring.updateNormalTokens(hostId(3), [token(100)]).isLeaving(hostId(3))).toBe(false);
  });

  it('forgets a removed endpoint entirely', () => {
    const ring = threeNodes().removeEndpoint(hostId(1));
    expect(ring.endpoint(hostId(1))).toBeUndefined();
    expect(ring.sortedTokens).toEqual([0n, 100n]);
  });

  it('counts endpoints and racks per data center among token owners', () => {
    const ring = threeNodes()
      .withEndpoint(endpoint(4, 'dc2', 'rack9'))
      .updateNormalTokens(hostId(4), [token(7)]);
    expect(ring.topology().get('dc1')).toEqual({ endpointCount: 3, rackCount: 2 });
    expect(ring.topology().get('dc2')).toEqual({ endpointCount: 1, rackCount: 1 });
    // Registered but without tokens: not part of the topology replicas are placed on.
    expect(ring.withEndpoint(endpoint(5, 'dc3')).topology().has('dc3')).toBe(false);
  });

  it('finds endpoints by address', () => {
    expect(threeNodes().endpointByAddress('127.0.0.2')?.hostId).toBe(hostId(2));
  });
});

describe('parseHostId', () => {
  it('accepts a UUID and lower-cases it', () => {
    expect(parseHostId(' 0A2B3C4D-0000-4000-8000-00000000000F ')).toBe(
      '0a2b3c4d-0000-4000-8000-00000000000f',
    );
  });

  it('refuses anything else with INVALID_HOST_ID', () => {
    expect(() => parseHostId('127.0.0.1')).toThrow(expect.objectContaining({ code: 'INVALID_HOST_ID' }));
  });
});

describe('TokenRange and metadata together', () => {
  it('rangeAt is the range ending at each ring token', () => {
    const ring = threeNodes();
    expect(ring.rangeAt(0)).toEqual(new TokenRange(token(200), token(-100)));
  });
});
