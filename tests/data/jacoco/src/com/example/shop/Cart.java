package com.example.shop;

import java.util.ArrayList;
import java.util.List;

/** A shopping cart: some branches taken both ways, some one way, one method never run. */
public class Cart {
    private final List<Integer> prices = new ArrayList<>();

    public void add(int price) {
        if (price < 0) {
            throw new IllegalArgumentException("negative price");
        }
        prices.add(price);
    }

    public int total() {
        int sum = 0;
        for (int p : prices) {
            sum += p;
        }
        return sum;
    }

    public int discounted(boolean member, boolean sale) {
        int t = total();
        if (member && sale) {
            return t / 2;
        } else if (member || sale) {
            return t - t / 10;
        }
        return t;
    }

    public String describe() {
        return prices.isEmpty() ? "empty" : prices.size() + " items";
    }

    public void clear() {
        prices.clear();
    }
}
