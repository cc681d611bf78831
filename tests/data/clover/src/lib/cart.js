'use strict';

class Cart {
  constructor() {
    this.prices = [];
  }

  add(price) {
    if (price < 0) {
      throw new Error('negative price');
    }
    this.prices.push(price);
  }

  total() {
    return this.prices.reduce((a, b) => a + b, 0);
  }

  discounted(member, sale) {
    const t = this.total();
    if (member && sale) {
      return t / 2;
    } else if (member || sale) {
      return t - t / 10;
    }
    return t;
  }

  clear() {
    this.prices = [];
  }
}

module.exports = { Cart };
