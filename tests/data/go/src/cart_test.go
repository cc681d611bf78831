package shop

import "testing"

func TestAdd(t *testing.T) {
	c := &Cart{}
	if err := c.Add(10); err != nil {
		t.Fatal(err)
	}
	if err := c.Add(-1); err == nil {
		t.Fatal("negative accepted")
	}
	if c.Total() != 10 {
		t.Fatal("total")
	}
}

func TestDiscount(t *testing.T) {
	c := &Cart{}
	_ = c.Add(100)
	_ = c.Add(20)
	if c.Discounted(true, true) != 60 || c.Discounted(false, false) != 120 {
		t.Fatal("discount")
	}
	if Describe(c) != "item, item" || Describe(&Cart{}) != "empty" {
		t.Fatal("describe")
	}
}
