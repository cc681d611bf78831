// Copyright 2026 The covgap fixtures.

// Package calc evaluates tiny arithmetic expressions.
package calc

import (
	"errors"
	"fmt"
	"strconv"
)

// Stack is an RPN evaluation stack.
type Stack struct {
	items []float64
}

// Push adds a value.
func (s *Stack) Push(v float64) {
	s.items = append(s.items, v)
}

// Pop removes the top value.
func (s *Stack) Pop() (float64, error) {
	if len(s.items) == 0 {
		return 0, errors.New("empty stack")
	}
	v := s.items[len(s.items)-1]
	s.items = s.items[:len(s.items)-1]
	return v, nil
}

// Eval evaluates an RPN expression.
func Eval(tokens []string) (float64, error) {
	var s Stack
	for _, tok := range tokens {
		switch tok {
		case "+", "-":
			b, err := s.Pop()
			if err != nil {
				return 0, err
			}
			a, err := s.Pop()
			if err != nil {
				return 0, fmt.Errorf("missing operand: %w", err)
			}
			if tok == "+" {
				s.Push(a + b)
			} else {
				s.Push(a - b)
			}
		default:
			v, err := strconv.ParseFloat(tok, 64)
			if err != nil && tok != "" {
				return 0, err
			}
			s.Push(v)
		}
	}
	return s.Pop()
}

// MustEval panics on error.
func MustEval(tokens []string) float64 {
	v, err := Eval(tokens)
	if err != nil {
		panic(err)
	}
	return v
}
