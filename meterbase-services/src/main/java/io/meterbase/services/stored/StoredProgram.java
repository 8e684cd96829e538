package io.meterbase.services.stored;

import io.meterbase.core.api.dr.Program;
import io.meterbase.core.model.Category;
import java.util.Set;

/** A demand-response program as stored. */
public record StoredProgram(
        String id, String name, String community, Set<Category> categories, Integer staggerSeconds) {

    public static StoredProgram of(Program p) {
        return new StoredProgram(p.id(), p.name(), p.community(), p.categories(), p.staggerSeconds());
    }

    public Program toApi() {
        return new Program(id, name, community, categories, staggerSeconds);
    }
}
