package io.meterbase.services.community;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The values of a community's customers, ordered, answering rank, minimum, maximum and mean in O(log n): a treap
 * (randomised balanced search tree) over (value, customer id) with subtree sizes, in parallel arrays so a million
 * customers cost about 40 bytes each. Not thread-safe; {@link CommunityBoard} guards it.
 */
final class RankTree {

    private static final int NIL = 0;

    private final SplittableRandom random = new SplittableRandom(42);
    private int[] left = new int[16];
    private int[] right = new int[16];
    private int[] size = new int[16];
    private int[] priority = new int[16];
    private double[] value = new double[16];
    private long[] id = new long[16];
    private int[] free = new int[16];
    private int freeCount;
    private int next = 1;
    private int root = NIL;
    private long sumMilli;

    int size() {
        return size[root];
    }

    /** The sum of the values, kept exactly in thousandths so that a million updates leave no drift. */
    double sum() {
        return sumMilli / 1000.0;
    }

    void insert(double v, long customer) {
        int n = allocate(v, customer);
        root = insert(root, n);
        sumMilli += Math.round(v * 1000);
    }

    void remove(double v, long customer) {
        root = remove(root, v, customer);
        sumMilli -= Math.round(v * 1000);
    }

    /** How many values are strictly below {@code v}. */
    int countBelow(double v) {
        int count = 0;
        int t = root;
        while (t != NIL) {
            if (value[t] < v) {
                count += size[left[t]] + 1;
                t = right[t];
            } else {
                t = left[t];
            }
        }
        return count;
    }

    double min() {
        int t = root;
        while (left[t] != NIL) {
            t = left[t];
        }
        return value[t];
    }

    double max() {
        int t = root;
        while (right[t] != NIL) {
            t = right[t];
        }
        return value[t];
    }

    private static int compare(double va, long ia, double vb, long ib) {
        int c = Double.compare(va, vb);
        return c != 0 ? c : Long.compare(ia, ib);
    }

    private int insert(int t, int n) {
        if (t == NIL) {
            return n;
        }
        if (compare(value[n], id[n], value[t], id[t]) < 0) {
            left[t] = insert(left[t], n);
            if (priority[left[t]] > priority[t]) {
                t = rotateRight(t);
            }
        } else {
            right[t] = insert(right[t], n);
            if (priority[right[t]] > priority[t]) {
                t = rotateLeft(t);
            }
        }
        update(t);
        return t;
    }

    private int remove(int t, double v, long customer) {
        if (t == NIL) {
            throw new IllegalStateException("customer " + customer + " with value " + v + " is not in the tree");
        }
        int c = compare(v, customer, value[t], id[t]);
        if (c < 0) {
            left[t] = remove(left[t], v, customer);
        } else if (c > 0) {
            right[t] = remove(right[t], v, customer);
        } else {
            int merged = merge(left[t], right[t]);
            release(t);
            return merged;
        }
        update(t);
        return t;
    }

    private int merge(int a, int b) {
        if (a == NIL) {
            return b;
        }
        if (b == NIL) {
            return a;
        }
        if (priority[a] > priority[b]) {
            right[a] = merge(right[a], b);
            update(a);
            return a;
        }
        left[b] = merge(a, left[b]);
        update(b);
        return b;
    }

    private int rotateRight(int t) {
        int l = left[t];
        left[t] = right[l];
        right[l] = t;
        update(t);
        update(l);
        return l;
    }

    private int rotateLeft(int t) {
        int r = right[t];
        right[t] = left[r];
        left[r] = t;
        update(t);
        update(r);
        return r;
    }

    private void update(int t) {
        size[t] = size[left[t]] + size[right[t]] + 1;
    }

    private int allocate(double v, long customer) {
        int n;
        if (freeCount > 0) {
            n = free[--freeCount];
        } else {
            if (next == left.length) {
                grow();
            }
            n = next++;
        }
        left[n] = NIL;
        right[n] = NIL;
        size[n] = 1;
        priority[n] = random.nextInt(Integer.MAX_VALUE);
        value[n] = v;
        id[n] = customer;
        return n;
    }

    private void release(int n) {
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, free.length * 2);
        }
        free[freeCount++] = n;
    }

    private void grow() {
        int capacity = left.length * 2;
        left = Arrays.copyOf(left, capacity);
        right = Arrays.copyOf(right, capacity);
        size = Arrays.copyOf(size, capacity);
        priority = Arrays.copyOf(priority, capacity);
        value = Arrays.copyOf(value, capacity);
        id = Arrays.copyOf(id, capacity);
    }
}
