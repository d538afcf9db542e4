package dev.keel.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

/**
 * The options of one concern (core, admin, cluster, the pub/sub server), under one heading, with
 * the rules that relate them to each other. Each module declares its own set; a {@link KeelConfig}
 * holds the values of the sets it was built with.
 *
 * <p>Usage: {@code static final OptionSet SET = OptionSet.of("Admin listener", List.of(ADMIN_HOST, ADMIN_PORT), rules)}
 */
public final class OptionSet {
  /** A check across options: null when the values fit together, else the message. */
  @FunctionalInterface
  public interface Rule extends Function<KeelConfig, String> {}

  private final String name;
  private final List<Group> groups;
  private final List<Rule> rules;

  /** Options under a sub-heading (for {@code --help} and the docs). */
  public record Group(String title, List<Option<?>> options) {}

  private OptionSet(String name, List<Group> groups, List<Rule> rules) {
    this.name = name;
    this.groups = List.copyOf(groups);
    this.rules = List.copyOf(rules);
    for (Group g : this.groups) {
      for (Option<?> o : g.options()) {
        o.owner(this);
      }
    }
  }

  public static OptionSet of(String name, List<Group> groups, List<Rule> rules) {
    return new OptionSet(name, groups, rules);
  }

  public static Group group(String title, Option<?>... options) {
    return new Group(title, List.of(options));
  }

  public String name() {
    return name;
  }

  public List<Group> groups() {
    return groups;
  }

  public List<Rule> rules() {
    return rules;
  }

  /** Every option, in declaration order. */
  public List<Option<?>> options() {
    List<Option<?>> all = new ArrayList<>();
    for (Group g : groups) {
      all.addAll(g.options());
    }
    return Collections.unmodifiableList(all);
  }
}
