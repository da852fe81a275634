package msnscope.dissect.spec;

import java.util.List;

/** A command of {@code dissectors/commands/}: its meaning and every form it takes. */
public record CommandSpec(String name, String meaning, List<FormSpec> forms) {

    /** True when no form of the command occurs outside a switchboard. */
    public boolean switchboardOnly() {
        return forms.stream().allMatch(f -> f.servers().size() == 1 && f.servers().contains(FormSpec.Role.SB));
    }

    /** True when no form of the command occurs on a switchboard. */
    public boolean neverOnSwitchboard() {
        return forms.stream().noneMatch(f -> f.servers().contains(FormSpec.Role.SB));
    }
}
