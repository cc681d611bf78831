package org.example.calc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CalcTest {
    @Test
    void adds() {
        assertEquals(5, Calc.add(2, 3));
    }

    @Test
    void clampsLow() {
        assertEquals(0, Calc.clamp(-4, 0, 10));
    }

    @Test
    void keepsInRange() {
        assertEquals(7, Calc.clamp(7, 0, 10));
    }

    @Test
    void divides() {
        assertEquals(4, Calc.divide(8, 2));
    }
}
