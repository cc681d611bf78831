package org.example.calc;

/** Never called by the tests: a whole file left unrun. */
public final class Words {
    private Words() {}

    public static String shout(String s) {
        return s.toUpperCase() + "!";
    }
}
