/**
 * @fileoverview A shopping cart with discounts.
 */

export interface Item {
  sku: string;
  price: number;
  qty?: number;
}

export class Cart {
  private items: Item[] = [];

  add(item: Item): void {
    if (item.price < 0 || !item.sku) {
      throw new Error("bad item");
    }
    this.items.push({ ...item, qty: item.qty ?? 1 });
  }

  total(): number {
    let sum = 0;
    for (const item of this.items) {
      sum += item.price * (item.qty ?? 1);
    }
    return sum;
  }

  discount = (code: string): number => {
    switch (code) {
      case "HALF":
        return this.total() / 2;
      case "TEN":
        return this.total() > 10 ? this.total() - 10 : 0;
      default:
        return this.total();
    }
  };
}

export async function load(url: string): Promise<Item[]> {
  try {
    const res = await fetch(url);
    return (await res.json()) as Item[];
  } catch (err) {
    return [];
  }
}

export function loadLater(url: string): Promise<Item[]> {
  return load(url).catch(() => []);
}
