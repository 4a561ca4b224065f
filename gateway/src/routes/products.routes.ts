/**
 * API gateway pattern (docs/patterns/01-api-gateway.md): the catalog, routed to inventory. Public, but a
 * valid token, when sent, names the viewer; each product view is recorded on Kafka in the background.
 */
import { z } from 'zod';
import { type InventoryHttpClient } from '../clients/inventory.http-client';
import { type ProductViewRecorder } from '../clients/product-view.publisher';
import { type GatewayRoutes, sendUpstream } from './gateway-route';

export const productParams = z.strictObject({ id: z.uuid() });

const product = z.object({ id: z.uuid(), sku: z.string(), name: z.string(), priceCents: z.number().int(), available: z.number().int() });

export function registerProductRoutes(
  routes: GatewayRoutes,
  inventory: Pick<InventoryHttpClient, 'listProducts' | 'getProduct'>,
  views: Pick<ProductViewRecorder, 'recordView'>,
): void {
  routes.add({
    method: 'GET',
    url: '/api/products',
    summary: 'The catalog',
    tag: 'products',
    access: 'optional',
    responses: { 200: { description: 'Products', schema: z.array(product) } },
    handle: async ({ requestId, userId }, reply) => sendUpstream(reply, 'inventory', await inventory.listProducts({ requestId, userId })),
  });

  routes.add({
    method: 'GET',
    url: '/api/products/:id',
    summary: 'One product (records a product-viewed event)',
    tag: 'products',
    access: 'optional',
    params: productParams,
    responses: { 200: { description: 'The product', schema: product }, 400: { description: 'The id is not a UUID' }, 404: { description: 'No such product' } },
    handle: async ({ params, requestId, userId }, reply) => {
      const response = await inventory.getProduct(params.id, { requestId, userId });
      if (response.status === 200) views.recordView(userId, params.id, requestId);
      return sendUpstream(reply, 'inventory', response);
    },
  });
}
