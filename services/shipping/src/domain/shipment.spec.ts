import { checkShipmentRequest, createShipment, isTrackingNumber, MAX_LINES, MAX_QUANTITY, trackingNumberFrom } from './shipment';
import { InvalidShipmentRequestError } from './shipping-errors';

const ORDER = '0b6f7c1e-1d2a-4c3b-8e4f-5a6b7c8d9e0f';
const USER = '1c7f8d2e-2e3b-4d4c-9f5a-6b7c8d9e0f1a';
const [A, B, C] = ['a0000000-0000-4000-8000-000000000000', 'b0000000-0000-4000-8000-000000000000', 'c0000000-0000-4000-8000-000000000000'];

describe('a shipment request', () => {
  it('keeps one line per product, adding up the quantities of a repeated product, sorted by product id', () => {
    const request = { orderId: ORDER, userId: USER, items: [{ productId: C, quantity: 1 }, { productId: A, quantity: 2 }, { productId: C, quantity: 3 }] };
    expect(checkShipmentRequest(request)).toEqual({ orderId: ORDER, userId: USER, items: [{ productId: A, quantity: 2 }, { productId: C, quantity: 4 }] });
  });

  it('drops fields a line carries beyond product and quantity (the price is not the parcel\'s business)', () => {
    const request = { orderId: ORDER, userId: USER, items: [{ productId: B, quantity: 1, unitPriceCents: 500 }] };
    expect(checkShipmentRequest(request).items).toEqual([{ productId: B, quantity: 1 }]);
  });

  it.each([
    ['no items', [], 'no items'],
    ['a zero quantity', [{ productId: A, quantity: 0 }], 'quantity 0'],
    ['a negative quantity', [{ productId: A, quantity: -2 }], 'quantity -2'],
    ['a fractional quantity', [{ productId: A, quantity: 1.5 }], 'quantity 1.5'],
    ['too many units of one product', [{ productId: A, quantity: MAX_QUANTITY }, { productId: A, quantity: 1 }], `more than ${MAX_QUANTITY} units`],
    ['too many lines', Array.from({ length: MAX_LINES + 1 }, () => ({ productId: A, quantity: 1 })), `more than ${MAX_LINES} lines`],
  ])('is refused with SHIPMENT.INVALID when it has %s', (_case, items, reason) => {
    const attempt = (): unknown => checkShipmentRequest({ orderId: ORDER, userId: USER, items });
    expect(attempt).toThrow(InvalidShipmentRequestError);
    expect(attempt).toThrow(reason);
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({ code: 'SHIPMENT.INVALID', category: 'invalid', details: { orderId: ORDER } });
    }
  });
});

describe('a shipment', () => {
  it('is the checked request with the identity it was given and the moment it was made', () => {
    const now = new Date('2026-11-27T10:00:00Z');
    const shipment = createShipment(
      { orderId: ORDER, userId: USER, items: [{ productId: B, quantity: 1 }, { productId: A, quantity: 1 }] },
      { id: 'd0000000-0000-4000-8000-000000000000', trackingNumber: 'SHP-0000-0000-0001' },
      now,
    );
    expect(shipment).toEqual({
      id: 'd0000000-0000-4000-8000-000000000000',
      orderId: ORDER,
      userId: USER,
      items: [{ productId: A, quantity: 1 }, { productId: B, quantity: 1 }],
      trackingNumber: 'SHP-0000-0000-0001',
      createdAt: now,
    });
  });
});

describe('a tracking number', () => {
  it('spells the first 60 random bits in Crockford base 32 as SHP-XXXX-XXXX-XXXX', () => {
    expect(trackingNumberFrom(new Uint8Array(8))).toBe('SHP-0000-0000-0000');
    expect(trackingNumberFrom(new Uint8Array(8).fill(0xff))).toBe('SHP-ZZZZ-ZZZZ-ZZZZ');
    expect(trackingNumberFrom(Uint8Array.from([0, 0, 0, 0, 0, 0, 0x1f, 0xf0]))).toBe('SHP-0000-0000-00FZ');
  });

  it('is the same for the same bytes and differs for different bytes', () => {
    const bytes = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(trackingNumberFrom(bytes)).toBe(trackingNumberFrom(Uint8Array.from(bytes)));
    expect(trackingNumberFrom(bytes)).not.toBe(trackingNumberFrom(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 9 + 16])));
  });

  it('never holds I, L, O or U, and is recognised by isTrackingNumber', () => {
    for (let i = 0; i < 200; i++) {
      const value = trackingNumberFrom(Uint8Array.from({ length: 8 }, () => Math.floor(Math.random() * 256)));
      expect(value).not.toMatch(/[ILOU]/);
      expect(isTrackingNumber(value)).toBe(true);
    }
    expect(isTrackingNumber('SHP-0000-0000-000O')).toBe(false);
    expect(isTrackingNumber('SHP-0000-0000-000')).toBe(false);
  });

  it('needs 8 random bytes', () => {
    expect(() => trackingNumberFrom(new Uint8Array(7))).toThrow(RangeError);
  });
});
