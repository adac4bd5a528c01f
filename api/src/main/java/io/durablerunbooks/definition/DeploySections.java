package io.durablerunbooks.definition;

import com.fasterxml.jackson.databind.JsonNode;
import io.durablerunbooks.deploy.Artifact;
import io.durablerunbooks.deploy.DeployHooks;
import io.durablerunbooks.deploy.DeploySpec;
import io.durablerunbooks.deploy.HostTarget;
import io.durablerunbooks.deploy.ReleaseId;
import io.durablerunbooks.deploy.RolloutPolicy;
import io.durablerunbooks.rollback.RollbackSpec;
import io.durablerunbooks.runbook.RunbookHeader;
import io.durablerunbooks.secrets.SecretRef;
import io.durablerunbooks.smoke.AppSmokeSpec;
import io.durablerunbooks.ssh.SshAccess;
import io.durablerunbooks.ssh.SshHost;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The sections of a {@code kind: deploy} file (release, artifact, ssh, hosts, defaults, only,
 * rollout, hooks, keepReleases, smoke) and of a {@code kind: rollback} file, which shares most of
 * them, read like the rest of the file by {@link RunbookValidator}: every problem under its field
 * path, the spec built only when nothing was wrong.
 */
final class DeploySections {

  private static final int DEFAULT_KEEP_RELEASES = 5;
  private static final Duration DEFAULT_HOOK_TIMEOUT = Duration.ofMinutes(10);
  private static final int DEFAULT_LATENCY_SAMPLES = 5;
  private static final Duration DEFAULT_SMOKE_TIMEOUT = Duration.ofSeconds(10);
  private static final int DEFAULT_SSH_PORT = 22;
  private static final int MAX_LATENCY_SAMPLES = 100;
  private static final String ADDRESS_PLACEHOLDER = "{address}";
  private static final String NAME_PLACEHOLDER = "{name}";
  private static final String ARCHIVE_EXAMPLE = "/srv/builds/shop-v2.3.1.tar.gz";
  private static final String DOWNLOAD_EXAMPLE = "https://builds.example/shop-2.3.1.tar.gz";
  private static final String GROUP_RULE =
      "must be lowercase letters, digits and '-' (not first or last), at most 63 characters, like canary or eu-west";

  private static final Pattern LOGIN = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,31}");
  private static final Pattern ADDRESS =
      Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|(?=.*:.*:)[0-9A-Fa-f:.]{2,45}");
  /** An absolute path on a host other than /: it reaches the host's shell, so no spaces, '.' or '..' parts. */
  static final Pattern HOST_DIRECTORY = Pattern.compile("(/(?!\\.{1,2}(/|$))[^/\\s]+)+");
  private static final Pattern APP_PATH = Pattern.compile("/(?!/)[^\\s#]*");
  private static final Pattern SHA256 = Pattern.compile("[0-9A-Fa-f]{64}");
  /** What git itself accepts as a ref name, less the odd corners, or a commit. */
  private static final Pattern GIT_REF =
      Pattern.compile("(?!.*\\.\\.)(?!.*//)(?!.*\\.lock$)[A-Za-z0-9_][A-Za-z0-9._/+-]{0,199}(?<![/.])");
  private static final Pattern GIT_PATH = Pattern.compile("/\\S*[^\\s/]");
  private static final Pattern GIT_SCP = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*@[A-Za-z0-9][A-Za-z0-9.-]*:\\S+");
  private static final Set<String> GIT_SCHEMES = Set.of("https", "http", "ssh", "git");

  private final List<FieldError> errors;

  DeploySections(List<FieldError> errors) {
    this.errors = errors;
  }

  Supplier<RunbookDefinition> deploy(Fields root, RunbookHeader header) {
    String release = release(root);
    Artifact artifact = artifact(root);
    Ssh ssh = ssh(root);
    Place defaults = defaults(root);
    List<Fields> items = root.objectList("hosts");
    if (items != null && items.isEmpty()) {
      root.error("hosts", "required: at least one host, in rollout order, e.g. hosts: [{ name: web1, address: 10.0.0.11 }]");
    }
    List<Host> hosts = items == null ? null : hosts(items, ssh == null ? null : ssh.port(), defaults);
    List<String> only = root.textOrTextList("only", "a host or group name, or a list of them, like [canary, web3]");
    List<Host> selected = select(root, only, hosts);
    // 0 while unknown (the inventory or the selection has errors): the failure budget is then not checked.
    int selectedCount = selected != null ? selected.size() : !root.present("only") && items != null ? items.size() : 0;
    RolloutPolicy rollout = rollout(root, selectedCount, only != null && !only.isEmpty(), header);
    DeployHooks hooks = hooks(root);
    Integer keepReleases = root.integer("keepReleases", DEFAULT_KEEP_RELEASES, 2, Integer.MAX_VALUE);
    AppSmokeSpec smoke = smoke(root);
    return () ->
        new DeploySpec(
            header,
            release,
            artifact,
            selected.stream().map(h -> h.target(ssh)).toList(),
            only,
            rollout,
            hooks,
            keepReleases,
            smoke);
  }

  /**
   * A {@code kind: rollback} file: the same ssh, hosts, defaults, only and smoke sections as a
   * deploy, the release to go back to (or none, for the previous good one), the reason and the restart
   * hook.
   */
  Supplier<RunbookDefinition> rollback(Fields root, RunbookHeader header) {
    String to = root.text("to", "");
    if (to != null && !to.isEmpty() && !ReleaseId.isValid(to)) {
      root.error("to", ReleaseId.RULE + ", or leave it out for the newest good release the hosts ran before (got "
          + root.shown("to") + ")");
      to = null;
    }
    String reason = root.requiredText("reason");
    Ssh ssh = ssh(root);
    Place defaults = defaults(root);
    List<Fields> items = root.objectList("hosts");
    if (items != null && items.isEmpty()) {
      root.error("hosts", "required: at least one host, e.g. hosts: [{ name: web1, address: 10.0.0.11 }]");
    }
    List<Host> hosts = items == null ? null : hosts(items, ssh == null ? null : ssh.port(), defaults);
    List<String> only = root.textOrTextList("only", "a host or group name, or a list of them, like [canary, web3]");
    List<Host> selected = select(root, only, hosts);
    Integer batchSize = root.integer("batchSize", Math.max(1, selected == null ? 1 : selected.size()), 1, Integer.MAX_VALUE);
    Fields f = root.object("hooks");
    String restart = f == null ? null : command(f, "restart");
    Duration timeout = f == null ? null : f.positiveDuration("timeout", DEFAULT_HOOK_TIMEOUT);
    if (f != null) {
      f.finish();
    }
    AppSmokeSpec smoke = smoke(root);
    String target = to;
    return () ->
        new RollbackSpec(
            header,
            selected.stream().map(h -> h.target(ssh)).toList(),
            target,
            reason,
            restart,
            timeout,
            batchSize,
            smoke);
  }

  private String release(Fields root) {
    String release = root.requiredText("release");
    if (release == null || ReleaseId.isValid(release)) {
      return release;
    }
    root.error("release", ReleaseId.RULE + " (got " + root.shown("release") + ")");
    return null;
  }

  /**
   * A {@code .tar.gz} on the worker (a path), or a mapping: an archive each host downloads
   * ({@code url}, {@code sha256}) or a commit each host checks out ({@code git}, {@code ref}).
   */
  private Artifact artifact(Fields root) {
    if (root.holds("artifact", JsonNode::isObject)) {
      return artifactSource(root.object("artifact"));
    }
    if (root.holds("artifact", v -> !v.isTextual())) {
      root.refuse(
          "artifact", "the path of a .tar.gz on the worker, or a mapping { url: ..., sha256: ... } or { git: ..., ref: ... }");
      return null;
    }
    String path = workerFile(root, "artifact", ARCHIVE_EXAMPLE);
    if (path == null) {
      return null;
    }
    if (!path.endsWith(".tar.gz") && !path.endsWith(".tgz")) {
      root.error("artifact", "must be a gzipped tar archive of the release's files, named *.tar.gz or *.tgz (got "
          + root.shown("artifact") + "), or a mapping { url: ..., sha256: ... } or { git: ..., ref: ... }");
      return null;
    }
    return new Artifact.WorkerFile(path);
  }

  private Artifact artifactSource(Fields f) {
    int before = errors.size();
    String url = f.text("url", "");
    String sha256 = f.text("sha256", "");
    String git = f.text("git", "");
    String ref = f.text("ref", "");
    f.finish();
    if (errors.size() != before) {
      return null;
    }
    if (!url.isEmpty() && !git.isEmpty()) {
      f.error("git", "give either url (with sha256) to download an archive, or git (with ref) to check out a commit, not both");
      return null;
    }
    if (url.isEmpty() && git.isEmpty()) {
      errors.add(
          new FieldError(
              f.path(),
              "a mapping names where each host gets the release: { url: " + DOWNLOAD_EXAMPLE + ", sha256: <64 hex digits> }"
                  + " or { git: https://git.example/shop.git, ref: v2.3.1 }; or give the path of a .tar.gz on the worker"));
      return null;
    }
    return url.isEmpty() ? gitRef(f, git, ref, sha256) : download(f, url, sha256, ref);
  }

  private Artifact download(Fields f, String url, String sha256, String ref) {
    int before = errors.size();
    URI uri = RunbookValidator.uri(url);
    if (uri == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getRawFragment() != null) {
      f.error("url", "must be an http:// or https:// URL with a host and no #fragment, like " + DOWNLOAD_EXAMPLE
          + " (got " + f.shown("url") + ")");
    }
    if (sha256.isEmpty()) {
      f.error("sha256", "required with url: the archive's SHA-256 as sha256sum prints it, 64 hex digits; each host checks"
          + " it before unpacking");
    } else if (!SHA256.matcher(sha256).matches()) {
      f.error("sha256", "must be 64 hex digits, the archive's SHA-256 as sha256sum prints it (got " + f.shown("sha256") + ")");
    }
    if (!ref.isEmpty()) {
      f.error("ref", "goes with git: a download is pinned by its sha256");
    }
    return errors.size() == before ? new Artifact.Download(url, sha256.toLowerCase(Locale.ROOT)) : null;
  }

  private Artifact gitRef(Fields f, String repository, String ref, String sha256) {
    int before = errors.size();
    if (!isRepository(repository)) {
      f.error("git", "must be a repository URL (https://, ssh://, git:// or file://), user@host:path, or an absolute path"
          + " on the host, like https://git.example/shop.git (got " + f.shown("git") + ")");
    }
    if (ref.isEmpty()) {
      f.error("ref", "required with git: the tag, branch or full commit to deploy, like v2.3.1");
    } else if (!GIT_REF.matcher(ref).matches()) {
      f.error("ref", "must be a tag, branch or full commit: letters, digits, '.', '_', '/', '+' or '-', starting with a"
          + " letter, digit or '_', without '..' or '//', not ending in '/', '.' or '.lock' (got " + f.shown("ref") + ")");
    }
    if (!sha256.isEmpty()) {
      f.error("sha256", "goes with url: a checkout is pinned by its ref; give a full commit as ref to pin it exactly");
    }
    return errors.size() == before ? new Artifact.GitRef(repository, ref) : null;
  }

  /** A path or URL the host's git can clone, and nothing it would read as an option or a command. */
  private static boolean isRepository(String text) {
    if (GIT_PATH.matcher(text).matches() || GIT_SCP.matcher(text).matches()) {
      return true;
    }
    try {
      URI uri = new URI(text);
      if ("file".equals(uri.getScheme())) {
        return uri.getRawAuthority() == null && uri.getRawPath() != null && GIT_PATH.matcher(uri.getRawPath()).matches()
            && uri.getRawQuery() == null && uri.getRawFragment() == null;
      }
      return uri.getScheme() != null && GIT_SCHEMES.contains(uri.getScheme()) && uri.getHost() != null && uri.getRawFragment() == null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /** A required absolute path of a file on the worker. */
  private static String workerFile(Fields f, String key, String example) {
    String path = f.requiredText(key);
    if (path == null || path.startsWith("/")) {
      return path;
    }
    f.error(key, "must be an absolute path on the worker, like " + example + " (got " + f.shown(key) + ")");
    return null;
  }

  /**
   * The login every host shares, and the port of hosts that name none; each part null after an
   * error of its own, so that the port still serves to check the hosts.
   */
  record Ssh(String user, SshAccess access, Integer port) {}

  /** The {@code ssh} section, shared by every kind that reaches hosts over SSH. */
  static Ssh ssh(Fields root) {
    Fields f = root.requiredObject("ssh");
    if (f == null) {
      return null;
    }
    String user = RunbookValidator.matching(f, "user", f.requiredText("user"), LOGIN,
        "must be a login name like deploy: a letter or '_', then letters, digits, '_', '.' or '-', at most 32 characters");
    SecretRef privateKey = f.secret("privateKey", "DEPLOY_SSH_KEY", "/run/secrets/deploy_key");
    String passphrase = f.optionalSecret("passphrase", "DEPLOY_KEY_PASSPHRASE", "/run/secrets/deploy_key_passphrase");
    String knownHosts = workerFile(f, "knownHosts", "/etc/runbooks/known_hosts");
    Integer port = f.integer("port", DEFAULT_SSH_PORT, 1, 65_535);
    f.finish();
    SshAccess access =
        privateKey == null || passphrase == null || knownHosts == null
            ? null
            : new SshAccess(privateKey, passphrase, knownHosts);
    return new Ssh(user, access, port);
  }

  /**
   * Where the application lives on a host and where it answers; empty when not given.
   *
   * @param url may hold {@code {address}} and {@code {name}}, filled in per host
   */
  private record Place(String root, String url) {}

  private Place defaults(Fields root) {
    Fields f = root.object("defaults");
    if (f == null) {
      return null;
    }
    Place place = place(f);
    f.finish();
    return place;
  }

  /** The root and url fields of a mapping that may hold more; null after an error. */
  private Place place(Fields f) {
    int before = errors.size();
    String directory = f.text("root", "");
    if (directory != null && !directory.isEmpty() && !HOST_DIRECTORY.matcher(directory).matches()) {
      f.error(
          "root",
          "must be an absolute directory on the host other than /, like /srv/shop, without spaces,"
              + " '.' or '..' parts or a trailing '/' (got " + f.shown("root") + ")");
    }
    String url = f.text("url", "");
    if (url != null && !url.isEmpty()) {
      String rest = url.replace(ADDRESS_PLACEHOLDER, "").replace(NAME_PLACEHOLDER, "");
      if (rest.contains("{") || rest.contains("}")) {
        f.error("url", "only {address} and {name} are filled in for each host (got " + f.shown("url") + ")");
      } else if (!isAppUrl(appUrl(url, "192.0.2.1", "web1"))) {
        f.error(
            "url",
            "must be an http:// or https:// URL with a host and no ?query or #fragment, like http://{address}:8080"
                + " (got " + f.shown("url") + ")");
      }
    }
    return errors.size() == before ? new Place(directory, url) : null;
  }

  static boolean isAppUrl(String text) {
    URI uri = RunbookValidator.uri(text);
    return uri != null
        && ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
        && uri.getRawQuery() == null
        && uri.getRawFragment() == null;
  }

  /** The url with its placeholders filled in; an IPv6 address goes in brackets, as URLs write it. */
  private static String appUrl(String url, String address, String name) {
    String host = address.contains(":") ? "[" + address + "]" : address;
    return url.replace(ADDRESS_PLACEHOLDER, host).replace(NAME_PLACEHOLDER, name);
  }

  /** One entry of the inventory, complete: its root and url given or taken from the defaults. */
  private record Host(String name, String address, int port, String root, String url, List<String> groups) {

    HostTarget target(Ssh ssh) {
      return new HostTarget(new SshHost(name, address, port, ssh.user()), ssh.access(), root, appUrl(url, address, name), groups);
    }
  }

  /**
   * @param defaultPort null when unknown (no ssh section, or ssh.port is wrong), and then the hosts
   *     without a port of their own are not checked for duplicates
   * @param defaults null when they have errors, and then no host is said to lack a root or url
   * @return every host, or null after an error (also one of the defaults)
   */
  private List<Host> hosts(List<Fields> items, Integer defaultPort, Place defaults) {
    int before = errors.size();
    List<Host> hosts = new ArrayList<>();
    Map<String, String> names = new HashMap<>();
    Map<String, String> endpoints = new HashMap<>();
    Map<String, String> groupNames = new LinkedHashMap<>();
    for (Fields f : items) {
      String name = hostName(f);
      String address = address(f);
      // 0 stands for the port of ssh.port when that has an error of its own.
      Integer port = f.integer("port", defaultPort == null ? 0 : defaultPort, 1, 65_535);
      Place place = place(f);
      List<String> groups = groups(f, groupNames);
      f.finish();
      if (name != null && names.putIfAbsent(name, f.path()) != null) {
        f.error("name", "\"" + name + "\" names " + names.get(name) + " too; names tell the hosts apart in reports and locks");
      }
      if (address != null && port != null && port != 0) {
        String endpoint = address.toLowerCase(Locale.ROOT) + ":" + port;
        if (endpoints.putIfAbsent(endpoint, f.path()) != null) {
          f.error(
              "address",
              "is " + endpoints.get(endpoint) + " again (" + address + ", port " + port
                  + "); a host listed twice would be deployed twice at once: list it once, or give another port");
        }
      }
      if (place != null && defaults != null) {
        String hostRoot = place.root().isEmpty() ? defaults.root() : place.root();
        String url = place.url().isEmpty() ? defaults.url() : place.url();
        if (hostRoot.isEmpty()) {
          f.error("root", "required: give " + f.pathOf("root") + " or defaults.root, an absolute directory like /srv/shop");
        }
        if (url.isEmpty()) {
          f.error("url", "required: give " + f.pathOf("url") + " or defaults.url, where the host's application answers,"
              + " like http://{address}:8080");
        }
        hosts.add(new Host(name, address, port == null ? 0 : port, hostRoot, url, groups));
      }
    }
    groupNames.forEach(
        (path, group) -> {
          if (names.containsKey(group)) {
            errors.add(
                new FieldError(
                    path,
                    "\"" + group + "\" is the name of the host " + names.get(group) + "; give the group a name no host has,"
                        + " so that only: can tell them apart"));
          }
        });
    return errors.size() == before && hosts.size() == items.size() ? hosts : null;
  }

  /** A host's required {@code name}, how reports, locks and the UI name it. */
  static String hostName(Fields f) {
    return RunbookValidator.matching(f, "name", f.requiredText("name"), RunbookValidator.DNS_LABEL,
        "must be lowercase letters, digits and '-' (not first or last), at most 63 characters, like web1");
  }

  /** A host's required {@code address}, what the worker connects to. */
  static String address(Fields f) {
    return RunbookValidator.matching(f, "address", f.requiredText("address"), ADDRESS,
        "must be a host name or an IP address, like 10.0.0.11 or web1.internal");
  }

  /**
   * The groups of one host, in the order listed.
   *
   * @param seen every group name read so far, by its field path, for the check against host names
   * @return null after an error
   */
  private List<String> groups(Fields f, Map<String, String> seen) {
    List<String> groups = f.textOrTextList("groups", "a group name or a list of them, like [canary, eu-west]");
    if (groups == null) {
      return null;
    }
    boolean listed = f.holds("groups", JsonNode::isArray);
    Set<String> distinct = new HashSet<>();
    boolean ok = true;
    for (int i = 0; i < groups.size(); i++) {
      String group = groups.get(i);
      String path = listed ? f.pathOf("groups") + "[" + i + "]" : f.pathOf("groups");
      String problem =
          !RunbookValidator.DNS_LABEL.matcher(group).matches()
              ? GROUP_RULE + " (got \"" + group + "\")"
              : !distinct.add(group) ? "\"" + group + "\" is listed twice" : null;
      if (problem == null) {
        seen.put(path, group);
      } else {
        errors.add(new FieldError(path, problem));
        ok = false;
      }
    }
    return ok ? groups : null;
  }

  /**
   * The hosts {@code only} names, by their own name or by a group, in inventory order; the whole
   * inventory without {@code only}.
   *
   * @return null after an error, or when the inventory has errors of its own
   */
  private List<Host> select(Fields root, List<String> only, List<Host> hosts) {
    if (only == null || hosts == null) {
      return null;
    }
    if (!root.present("only")) {
      return hosts;
    }
    if (only.isEmpty()) {
      root.error("only", "selects no host: name at least one host or group, or leave only out to deploy to every host");
      return null;
    }
    Set<String> groups = new LinkedHashSet<>();
    hosts.forEach(h -> groups.addAll(h.groups()));
    List<String> hostNames = hosts.stream().map(Host::name).toList();
    boolean listed = root.holds("only", JsonNode::isArray);
    boolean ok = true;
    for (int i = 0; i < only.size(); i++) {
      String name = only.get(i);
      if (!groups.contains(name) && !hostNames.contains(name)) {
        errors.add(
            new FieldError(
                listed ? root.pathOf("only") + "[" + i + "]" : root.pathOf("only"),
                "\"" + name + "\" is neither a host nor a group; the groups are " + (groups.isEmpty() ? "none (no host has groups:)"
                    : String.join(", ", groups)) + " and the hosts " + String.join(", ", hostNames)));
        ok = false;
      }
    }
    if (!ok) {
      return null;
    }
    return hosts.stream().filter(h -> only.contains(h.name()) || h.groups().stream().anyMatch(only::contains)).toList();
  }

  /**
   * @param hostCount the number of hosts deployed to, 0 when unknown
   * @param selected whether {@code only} chose those hosts from a larger inventory
   */
  private RolloutPolicy rollout(Fields root, int hostCount, boolean selected, RunbookHeader header) {
    Fields f = root.object("rollout");
    if (f == null) {
      return null;
    }
    int before = errors.size();
    Integer batchSize = f.integer("batchSize", 1, 1, Integer.MAX_VALUE);
    Fields.CountOrPercent maxFailures = f.countOrPercent("maxFailures", 0, "the hosts");
    Boolean rollbackCompleted = f.bool("rollbackCompletedOnFailure", false);
    Boolean approveEachBatch = f.bool("approveEachBatch", false);
    Boolean batchByGroup = f.bool("batchByGroup", false);
    f.finish();
    int budget = maxFailures == null ? 0 : maxFailures.of(hostCount);
    if (maxFailures != null && hostCount > 0 && budget >= hostCount) {
      String hosts = selected ? "hosts selected by only" : "hosts";
      f.error(
          "maxFailures",
          (maxFailures.percent() ? maxFailures + " of " + hostCount + " " + hosts + " lets all " + hostCount + " fail"
                  : maxFailures + " lets all " + hostCount + " " + hosts + " fail")
              + ", so the rollout would never stop for a failed host; use at most " + (hostCount - 1)
              + " (0 stops at the first failure)" + (maxFailures.percent() ? ", or a percentage under 100%" : ""));
    }
    if (Boolean.TRUE.equals(approveEachBatch) && header != null && header.approval().approvers().isEmpty()) {
      f.error("approveEachBatch", "a GO before each batch needs at least one approver to send it, e.g. approvers: [alice]");
    }
    return errors.size() == before
        ? new RolloutPolicy(batchSize, budget, rollbackCompleted, approveEachBatch, batchByGroup)
        : null;
  }

  private DeployHooks hooks(Fields root) {
    Fields f = root.object("hooks");
    if (f == null) {
      return null;
    }
    int before = errors.size();
    String install = command(f, "install");
    Fields migrate = f.object("migrate");
    String restart = command(f, "restart");
    Duration timeout = f.positiveDuration("timeout", DEFAULT_HOOK_TIMEOUT);
    f.finish();
    String dryRun = migrate == null ? null : command(migrate, "dryRun");
    String apply = migrate == null ? null : command(migrate, "apply");
    if (migrate != null) {
      migrate.finish();
    }
    if (dryRun != null && apply != null && dryRun.isEmpty() != apply.isEmpty()) {
      migrate.error(
          dryRun.isEmpty() ? "dryRun" : "apply",
          dryRun.isEmpty()
              ? "required with apply: a migration is tried first by its dry run, e.g. dryRun: \"bin/migrate --dry-run\""
              : "required with dryRun: the command that applies the migrations once the dry run passed, e.g. apply: bin/migrate");
    }
    return errors.size() == before ? new DeployHooks(install, dryRun, apply, restart, timeout) : null;
  }

  /** A hook's command; empty, when absent or blank, skips the hook. */
  private static String command(Fields f, String key) {
    String command = f.text(key, "");
    return command != null && command.isBlank() ? "" : command;
  }

  private AppSmokeSpec smoke(Fields root) {
    Fields f = root.object("smoke");
    if (f == null) {
      return null;
    }
    int before = errors.size();
    String health = appPath(f, "health", "/health", false);
    String frontPage = appPath(f, "frontPage", "/", true);
    String database = appPath(f, "database", "", true);
    String staticAsset = appPath(f, "staticAsset", "", true);
    String databaseRead = appPath(f, "databaseRead", "", true);
    String latency = appPath(f, "latency", "", true);
    Duration latencyLimit = f.positiveDuration("latencyLimit", AppSmokeSpec.DEFAULT_LATENCY_LIMIT);
    Integer latencySamples = f.integer("latencySamples", DEFAULT_LATENCY_SAMPLES, 1, MAX_LATENCY_SAMPLES);
    String expectText = f.text("expectText", "");
    Duration timeout = f.positiveDuration("timeout", DEFAULT_SMOKE_TIMEOUT);
    f.finish();
    if (expectText != null && !expectText.isEmpty() && frontPage != null && frontPage.isEmpty()) {
      f.error("expectText", "is looked for on the front page, whose check is skipped: set smoke.frontPage, like /");
    }
    return errors.size() == before
        ? new AppSmokeSpec(
            health, frontPage, database, staticAsset, databaseRead, latency, latencyLimit, latencySamples, expectText, timeout)
        : null;
  }

  /** A path on the application, or empty to skip its check when it may be skipped. */
  static String appPath(Fields f, String key, String fallback, boolean skippable) {
    String path = f.text(key, fallback);
    if (path == null || (skippable && path.isEmpty()) || APP_PATH.matcher(path).matches()) {
      return path;
    }
    f.error(
        key,
        path.isEmpty()
            ? "the " + key + " check cannot be skipped: give the path that answers 200 when the application is up, like " + fallback
            : "must be a path on the application starting with a single /, like " + (fallback.isEmpty() ? "/api/version" : fallback)
                + ", without spaces or #" + (skippable ? ", or \"\" to skip the check" : "") + " (got " + f.shown(key) + ")");
    return null;
  }
}
