package org.backchannel.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/** The {@code --name=value} options of a benchmark mode: each has a default, all are text. */
final class BenchOptions {
  private BenchOptions() {}

  /**
   * The options as given over their defaults; prints help and exits 0 on {@code --help}, or the
   * problem and usage and exits 2 on a bad argument. With {@code overwrite}, an option given twice
   * takes the later value (a mode's presets come first); without, it is a bad argument.
   */
  static Map<String, String> parse(
      String name,
      List<String> header,
      Map<String, String> defaults,
      String[] args,
      boolean overwrite) {
    CommandSpec spec = CommandSpec.create().name(name).mixinStandardHelpOptions(true);
    spec.usageMessage().header(header.toArray(String[]::new));
    defaults.forEach(
        (option, value) ->
            spec.addOption(
                OptionSpec.builder("--" + option)
                    .paramLabel("VALUE")
                    .type(String.class)
                    .defaultValue(value)
                    .description("default: " + (value.isEmpty() ? "(none)" : value))
                    .build()));
    CommandLine cli = new CommandLine(spec).setOverwrittenOptionsAllowed(overwrite);
    Map<String, String> out = new LinkedHashMap<>(defaults);
    try {
      ParseResult parsed = cli.parseArgs(args);
      if (CommandLine.printHelpIfRequested(parsed)) {
        System.exit(0);
      }
      defaults.keySet().forEach(k -> out.put(k, parsed.matchedOptionValue(k, defaults.get(k))));
    } catch (ParameterException e) {
      System.err.println(e.getMessage());
      cli.usage(System.err);
      System.exit(2);
    }
    return out;
  }
}
