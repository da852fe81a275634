package msnscope.dissect.spec;

import java.util.List;

/**
 * A command of {@code dissectors/commands/}: its meaning and every form it takes.
 *
 * @param switchboardOnly    no form occurs outside a switchboard
 * @param neverOnSwitchboard no form occurs on a switchboard
 */
public record CommandSpec(String name, String meaning, List<FormSpec> forms, boolean switchboardOnly, boolean neverOnSwitchboard) {

    public CommandSpec(String name, String meaning, List<FormSpec> forms) {
        this(name, meaning, forms,
                forms.stream().allMatch(f -> f.servers().size() == 1 && f.servers().contains(FormSpec.Role.SB)),
                forms.stream().noneMatch(f -> f.servers().contains(FormSpec.Role.SB)));
    }
}
