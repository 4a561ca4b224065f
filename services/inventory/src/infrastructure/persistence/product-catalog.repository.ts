import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type ProductCatalog, type ProductDetails, type ProductSummary } from '../../application/ports/product-catalog.port';

interface ProductRow {
  id: string;
  sku: string;
  name: string;
  /** bigint arrives as a string from the driver. */
  price_cents: string;
  stock: number;
}

interface ProductDetailsRow extends ProductRow {
  description: string;
}

const toSummary = (row: ProductRow): ProductSummary => ({
  id: row.id,
  sku: row.sku,
  name: row.name,
  priceCents: Number(row.price_cents),
  available: row.stock,
});

const toDetails = (row: ProductDetailsRow): ProductDetails => ({ ...toSummary(row), description: row.description });

/** Catalog reads with raw SQL through the service's DataSource, outside any transaction. */
@Injectable()
export class SqlProductCatalog implements ProductCatalog {
  constructor(private readonly dataSource: DataSource) {}

  async list(): Promise<ProductSummary[]> {
    const rows: ProductRow[] = await this.dataSource.query('SELECT id, sku, name, price_cents, stock FROM products ORDER BY name, id');
    return rows.map(toSummary);
  }

  /** Every product with its description, ordered like `list()`: what the cached catalog keeps. */
  async listWithDetails(): Promise<ProductDetails[]> {
    const rows: ProductDetailsRow[] = await this.dataSource.query(
      'SELECT id, sku, name, description, price_cents, stock FROM products ORDER BY name, id',
    );
    return rows.map(toDetails);
  }

  /** The named products with their descriptions (those that exist), in no particular order. */
  async detailsByIds(productIds: readonly string[]): Promise<ProductDetails[]> {
    const rows: ProductDetailsRow[] = await this.dataSource.query(
      'SELECT id, sku, name, description, price_cents, stock FROM products WHERE id = ANY($1::uuid[])',
      [productIds],
    );
    return rows.map(toDetails);
  }

  async get(productId: string): Promise<ProductDetails | undefined> {
    const rows: ProductDetailsRow[] = await this.dataSource.query(
      'SELECT id, sku, name, description, price_cents, stock FROM products WHERE id = $1',
      [productId],
    );
    return rows[0] && toDetails(rows[0]);
  }

  async byIds(productIds: readonly string[]): Promise<ProductSummary[]> {
    const rows: ProductRow[] = await this.dataSource.query(
      'SELECT id, sku, name, price_cents, stock FROM products WHERE id = ANY($1::uuid[]) ORDER BY name, id',
      [productIds],
    );
    return rows.map(toSummary);
  }
}
