// Package shop is a tiny fixture for covgap's Go coverprofile reader.
package shop

import "errors"

// Cart holds prices in cents.
type Cart struct {
	prices []int
}

// Add appends a price; negative prices are refused.
func (c *Cart) Add(price int) error {
	if price < 0 {
		return errors.New("negative price")
	}
	c.prices = append(c.prices, price)
	return nil
}

// Total sums the prices.
func (c *Cart) Total() int {
	sum := 0
	for _, p := range c.prices {
		sum += p
	}
	return sum
}

// Discounted applies member and sale discounts.
func (c *Cart) Discounted(member, sale bool) int {
	t := c.Total()
	if member && sale {
		return t / 2
	} else if member || sale {
		return t - t/10
	}
	return t
}

// Clear is never called by the tests.
func (c *Cart) Clear() {
	c.prices = nil
}
