/**
 * The shapes cached and served. Column values use the change events' forms (bigint and numeric
 * as text, timestamps as Postgres text) so a value filled here and one written by the
 * invalidator's refresh rules (packages/example) are the same JSON.
 */
export interface User {
  id: string;
  email: string;
  name: string;
  bio: string;
  updated_at: string;
}

export interface Team {
  id: string;
  name: string;
}

export interface Membership {
  user_id: string;
  role: string;
}

export interface Product {
  id: string;
  sku: string;
  name: string;
  price: string;
  stock: number;
}

export interface Order {
  id: string;
  user_id: string;
  product_id: string;
  qty: number;
  status: string;
  created_at: string;
}
