'use strict';

function describe(cart) {
  const n = cart.prices.length;
  return n === 0 ? 'empty' : `${n} items`;
}

function label(size, fallback = 'none') {
  switch (size) {
    case 'big':
      return 'BIG';
    case 'small':
      return 'small';
    default:
      return fallback;
  }
}

function shout(s) { return s.toUpperCase(); }

module.exports = { describe, label, shout };
