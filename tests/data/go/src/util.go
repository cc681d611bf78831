package shop

import "strings"

// Describe says how full the cart is; two statements on one line on purpose.
func Describe(c *Cart) string {
	n := len(c.prices); if n == 0 { return "empty" }
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("item")
	}
	return b.String()
}

func unused(x int) int {
	switch x {
	case 1:
		return 10
	default:
		return 0
	}
}

func empty() {}
