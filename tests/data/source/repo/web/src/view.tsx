// Render a cart summary.
import { Cart } from "./cart";

export function Summary({ cart, compact }: { cart: Cart; compact?: boolean }) {
  const total = cart.total();
  return <div>{compact ? total : <span>Total: {total > 0 && total}</span>}</div>;
}
