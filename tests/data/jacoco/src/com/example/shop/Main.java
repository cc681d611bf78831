package com.example.shop;

/** Drives Cart so that the coverage has every shape: full, partial and none. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        Cart cart = new Cart();
        cart.add(10);
        cart.add(30);
        System.out.println(cart.discounted(true, true));
        System.out.println(cart.discounted(false, false));
        System.out.println(cart.describe());
        try {
            cart.add(-1);
        } catch (IllegalArgumentException e) {
            System.out.println("rejected");
        }
        Runnable r = () -> System.out.println("lambda ran");
        r.run();
    }

    static int unused(int x) {
        switch (x) {
            case 1:
                return 10;
            case 2:
                return 20;
            default:
                return 0;
        }
    }
}
