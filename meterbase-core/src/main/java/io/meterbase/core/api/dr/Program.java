package io.meterbase.core.api.dr;

import io.meterbase.core.model.Category;
import java.util.Set;

/**
 * A utility's demand-response program for one community: which categories of appliance customers may enrol, and
 * over how many seconds switching is spread so that the load does not rebound at once.
 */
public record Program(String id, String name, String community, Set<Category> categories, Integer staggerSeconds) {

    public Program {
        if (id == null || !id.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("a program id is 1-64 letters, digits or . _ -");
        }
        if (community == null || community.isBlank()) {
            throw new IllegalArgumentException("a program is for one community");
        }
        if (categories == null || categories.isEmpty()) {
            throw new IllegalArgumentException("a program names the categories of appliance it may switch");
        }
        categories = Set.copyOf(categories);
        staggerSeconds = staggerSeconds == null ? 60 : staggerSeconds;
        if (staggerSeconds < 0 || staggerSeconds > 3600) {
            throw new IllegalArgumentException("stagger_seconds must be 0-3600");
        }
        name = name == null ? id : name;
    }
}
