'use strict';
// Drives the library so that coverage has every shape: full, partial and none.
const { Cart } = require('./lib/cart');
const { describe: describeCart, label } = require('./lib/text');

const cart = new Cart();
cart.add(10);
cart.add(30);
console.log(cart.discounted(true, true), cart.discounted(false, false));
console.log(describeCart(cart), label(cart.total() > 100 ? 'big' : 'small'));
try {
  cart.add(-1);
} catch (e) {
  console.log('rejected');
}
