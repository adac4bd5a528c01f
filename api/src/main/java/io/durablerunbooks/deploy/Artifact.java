package io.durablerunbooks.deploy;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where the files of a release come from: an archive on the worker, uploaded to each host; an
 * archive each host downloads and checks against its SHA-256; or a commit each host checks out of
 * a git repository. The runbook file's rules for each form are in DeploySections; these records
 * only refuse what could never work.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "source", defaultImpl = Artifact.WorkerFile.class)
@JsonSubTypes({
  @JsonSubTypes.Type(value = Artifact.WorkerFile.class, name = "file"),
  @JsonSubTypes.Type(value = Artifact.Download.class, name = "url"),
  @JsonSubTypes.Type(value = Artifact.GitRef.class, name = "git")
})
public sealed interface Artifact permits Artifact.WorkerFile, Artifact.Download, Artifact.GitRef {

  /** What it is and how it reaches a host, for plans and summaries. */
  String describe();

  /** @param path absolute path, on the worker, of a {@code .tar.gz} of the release's files */
  record WorkerFile(String path) implements Artifact {

    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    public WorkerFile {
      Objects.requireNonNull(path, "path");
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("the artifact must be an absolute path on the worker, got '" + path + "'");
      }
    }

    /** Deploys started before the other forms existed recorded the path alone. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static WorkerFile of(String path) {
      return new WorkerFile(path);
    }

    @Override
    public String describe() {
      return path + " on the worker, uploaded over SFTP";
    }
  }

  /**
   * @param url http or https, fetched by the host
   * @param sha256 the archive's digest in lower-case hex, checked on the host before it is unpacked
   */
  record Download(String url, String sha256) implements Artifact {

    private static final Pattern DIGEST = Pattern.compile("[0-9a-f]{64}");

    public Download {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(sha256, "sha256");
      if (!url.startsWith("http://") && !url.startsWith("https://")) {
        throw new IllegalArgumentException("the artifact url must be http:// or https://, got '" + url + "'");
      }
      if (!DIGEST.matcher(sha256).matches()) {
        throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits, got '" + sha256 + "'");
      }
    }

    @Override
    public String describe() {
      return url + ", downloaded by each host and checked against sha256 " + sha256;
    }
  }

  /**
   * @param repository a URL or an absolute path, as the host's git reaches it
   * @param ref the tag, branch or full commit checked out
   */
  record GitRef(String repository, String ref) implements Artifact {

    public GitRef {
      Objects.requireNonNull(repository, "repository");
      Objects.requireNonNull(ref, "ref");
      if (repository.isEmpty() || repository.startsWith("-") || ref.isEmpty() || ref.startsWith("-")) {
        throw new IllegalArgumentException(
            "a git artifact needs a repository and a ref, neither starting with '-', got '" + repository + "' at '" + ref + "'");
      }
    }

    @Override
    public String describe() {
      return ref + " of " + repository + ", checked out by each host";
    }
  }
}
