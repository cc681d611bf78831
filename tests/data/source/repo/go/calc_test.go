package calc

import (
	"fmt"
	"testing"
)

func TestEval(t *testing.T) {
	v, err := Eval([]string{"1", "2", "+"})
	if err != nil || v != 3 {
		t.Fatalf("got %v, %v", v, err)
	}
}

func TestSkipped(t *testing.T) {
	t.Skip("not yet")
}

func Testhelper(t *testing.T) {}

func BenchmarkEval(b *testing.B) {
	for i := 0; i < b.N; i++ {
		_, _ = Eval([]string{"1", "2", "+"})
	}
}

func ExampleEval() {
	v, _ := Eval([]string{"2", "3", "+"})
	fmt.Println(v)
	// Output: 5
}

func ExampleMustEval() {
	_ = MustEval([]string{"1"})
}

func FuzzEval(f *testing.F) {
	f.Add("1")
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = Eval([]string{s})
	})
}
