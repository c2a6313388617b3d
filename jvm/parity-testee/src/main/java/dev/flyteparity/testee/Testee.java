package dev.flyteparity.testee;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.flyte.api.v1.ContainerError;
import org.flyte.api.v1.Literal;
import org.flyte.api.v1.RunnableTask;
import org.flyte.api.v1.TaskIdentifier;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Runs flytekit-java tasks on many inputs in one process, converting as {@code jflyte execute}
 * does: inputs read with jflyte's ProtoReader, outputs and errors written with its ProtoWriter
 * (to memory instead of files), tasks found through its Registrars in a class loader built by
 * jflyte's ClassLoaders for each folder of jars named on the command line.
 *
 * <p>Protocol (stdin and stdout, binary): a frame is a 4-byte big-endian unsigned length and that
 * many bytes. A request is two frames, the task name (UTF-8) and a serialized LiteralMap; the
 * answer is one frame, {@code O} + the output LiteralMap or {@code E} + the ErrorDocument that
 * jflyte execute would write as error.pb. End of input at a request boundary: exit 0. Nothing but
 * answers goes to stdout: System.out is pointed at stderr before anything runs. JVM unified
 * logging writes to stdout unless told otherwise: start the JVM with {@code -Xlog:disable
 * -Xlog:all=warning:stderr}.
 */
public final class Testee {
  private static final String INPUTS = "memory:///inputs.pb";
  private static final String OUTPUT_PREFIX = "memory:///outputs";
  private static final String OUTPUTS_FILE = OUTPUT_PREFIX + "/outputs.pb";
  private static final String ERROR_FILE = OUTPUT_PREFIX + "/error.pb";
  private static final int BUFFER = 1 << 16;
  private static final int MAX_FRAME = Integer.MAX_VALUE - 16;

  private final List<TaskFolder> folders;

  Testee(List<TaskFolder> folders) {
    if (folders.isEmpty()) {
      throw new IllegalArgumentException("no folder of jars");
    }
    this.folders = folders;
  }

  public static void main(String[] args) {
    // The protocol owns the real stdout; whatever prints to System.out lands on stderr.
    OutputStream protocolOut = new FileOutputStream(FileDescriptor.out);
    System.setOut(System.err);
    // As jflyte's Main: java.util.logging (flytekit-java's logger) through slf4j.
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();

    if (args.length == 0) {
      System.err.println(
          "usage: java -cp '<jflyte lib>/*:<parity-testee lib>/*' "
              + Testee.class.getName()
              + " <folder of jars> [<folder of jars> ...]");
      System.exit(2);
    }
    Map<String, String> env = flyteEnv();
    List<TaskFolder> folders = new ArrayList<>();
    for (String arg : args) {
      File dir = new File(arg);
      if (!dir.isDirectory()) {
        System.err.println("parity-testee: " + arg + " is not a folder of jars");
        System.exit(2);
      }
      folders.add(TaskFolder.load(dir, env));
    }

    int code;
    try {
      code =
          new Testee(folders)
              .serve(
                  new BufferedInputStream(new FileInputStream(FileDescriptor.in), BUFFER),
                  new BufferedOutputStream(protocolOut, BUFFER));
    } catch (IOException e) {
      System.err.println("parity-testee: " + e);
      code = 1;
    }
    System.err.flush();
    // Exit even if a task left non-daemon threads behind.
    System.exit(code);
  }

  /** The process's FLYTE_* and JFLYTE_* variables: what jflyte execute gives the registrars. */
  static Map<String, String> flyteEnv() {
    Map<String, String> env = new HashMap<>();
    System.getenv()
        .forEach(
            (key, value) -> {
              if (key.startsWith("JFLYTE_") || key.startsWith("FLYTE_")) {
                env.put(key, value);
              }
            });
    return Collections.unmodifiableMap(env);
  }

  /** Answers requests until the input ends; returns the exit code. */
  int serve(InputStream input, OutputStream output) throws IOException {
    DataInputStream in = new DataInputStream(input);
    DataOutputStream out = new DataOutputStream(output);
    while (true) {
      byte[] name = readFrame(in, true);
      if (name == null) {
        out.flush();
        return 0;
      }
      byte[] inputs = readFrame(in, false);
      Answer answer;
      try {
        answer = answer(new String(name, StandardCharsets.UTF_8), inputs);
      } catch (Throwable e) {
        answer = errorAnswer(e);
      }
      out.writeInt(answer.body.size() + 1);
      out.writeByte(answer.kind);
      answer.body.writeTo(out);
      out.flush();
    }
  }

  /** A frame's bytes; null at the end of input before a request's first byte if allowed. */
  private static byte[] readFrame(DataInputStream in, boolean endAllowed) throws IOException {
    int first = in.read();
    if (first < 0) {
      if (endAllowed) {
        return null;
      }
      throw new EOFException("input ended between a request's task name and its inputs");
    }
    long length;
    try {
      length =
          ((long) first << 24)
              | ((long) in.readUnsignedByte() << 16)
              | ((long) in.readUnsignedByte() << 8)
              | in.readUnsignedByte();
    } catch (EOFException e) {
      throw new EOFException("input ended inside a frame's length");
    }
    if (length > MAX_FRAME) {
      throw new IOException("frame of " + length + " bytes is too long");
    }
    byte[] bytes = new byte[(int) length];
    try {
      in.readFully(bytes);
    } catch (EOFException e) {
      throw new EOFException("input ended inside a frame of " + length + " bytes");
    }
    return bytes;
  }

  /** What jflyte execute would leave for this task and these inputs: outputs.pb or error.pb. */
  Answer answer(String name, byte[] inputs) {
    MemoryFileSystem fs = new MemoryFileSystem(INPUTS, inputs);
    // The structure of jflyte's Execute: read inputs and find the task with the task's class
    // loader as the thread's context class loader, run it, write outputs; any failure on the way
    // becomes error.pb.
    try {
      Located located = locate(name);
      Map<String, Literal> outputs =
          Jflyte.withClassLoader(
              located.loader,
              () -> {
                Map<String, Literal> input = Jflyte.readInputs(fs, INPUTS);
                RunnableTask task = located.task(name);
                return task.run(input);
              });
      Jflyte.writeOutputs(fs, OUTPUT_PREFIX, outputs);
    } catch (ContainerError e) {
      writeError(fs, e, true);
    } catch (Throwable e) {
      writeError(fs, e, false);
    }
    ByteArrayOutputStream error = fs.written(ERROR_FILE);
    if (error != null) {
      return new Answer('E', error);
    }
    ByteArrayOutputStream outputs = fs.written(OUTPUTS_FILE);
    if (outputs != null) {
      return new Answer('O', outputs);
    }
    // ProtoWriter returned without writing: never expected, but answer rather than hang.
    return errorAnswer(new IllegalStateException("jflyte's ProtoWriter wrote neither file"));
  }

  private static void writeError(MemoryFileSystem fs, Throwable e, boolean containerError) {
    try {
      Jflyte.writeError(
          fs,
          OUTPUT_PREFIX,
          containerError
              ? Jflyte.serializeContainerError((ContainerError) e)
              : Jflyte.serializeThrowable(e));
    } catch (Throwable failed) {
      // Where jflyte execute itself would die without error.pb (say, a ContainerError without a
      // code): the error document of that failure, so the client still gets an answer.
      fs.discard(ERROR_FILE);
      Jflyte.writeError(fs, OUTPUT_PREFIX, Jflyte.serializeThrowable(failed));
    }
  }

  private static Answer errorAnswer(Throwable e) {
    MemoryFileSystem fs = new MemoryFileSystem(INPUTS, new byte[0]);
    Jflyte.writeError(fs, OUTPUT_PREFIX, Jflyte.serializeThrowable(e));
    return new Answer('E', fs.written(ERROR_FILE));
  }

  /** The first folder (in command-line order) with a task of this name. */
  private Located locate(String name) {
    Throwable failure = null;
    for (TaskFolder folder : folders) {
      RunnableTask task = folder.tasks.get(name);
      if (task != null) {
        return new Located(folder.loader, task, null);
      }
      if (failure == null) {
        failure = folder.failure;
      }
    }
    return new Located(folders.get(0).loader, null, failure);
  }

  /** One answer: its kind byte and its body. */
  static final class Answer {
    final char kind;
    final ByteArrayOutputStream body;

    Answer(char kind, ByteArrayOutputStream body) {
      this.kind = kind;
      this.body = body;
    }
  }

  /** A task found (or not) and the class loader to run it with. */
  private static final class Located {
    final ClassLoader loader;
    private final RunnableTask task;
    private final Throwable failure;

    Located(ClassLoader loader, RunnableTask task, Throwable failure) {
      this.loader = loader;
      this.task = task;
      this.failure = failure;
    }

    /** The task; else what jflyte execute's task lookup would have thrown. */
    RunnableTask task(String name) {
      if (task != null) {
        return task;
      }
      if (failure instanceof RuntimeException) {
        throw (RuntimeException) failure;
      }
      if (failure instanceof Error) {
        throw (Error) failure;
      }
      if (failure != null) {
        throw new RuntimeException(failure);
      }
      throw new IllegalArgumentException("Task not found: " + name);
    }
  }

  /** One folder of jars: its class loader and its tasks by name, loaded once. */
  static final class TaskFolder {
    final ClassLoader loader;
    final Map<String, RunnableTask> tasks;
    final Throwable failure; // what loading the registrars threw, if it did

    private TaskFolder(ClassLoader loader, Map<String, RunnableTask> tasks, Throwable failure) {
      this.loader = loader;
      this.tasks = tasks;
      this.failure = failure;
    }

    static TaskFolder load(File dir, Map<String, String> env) {
      ClassLoader loader = Jflyte.classLoader(dir);
      try {
        Map<TaskIdentifier, RunnableTask> found =
            Jflyte.withClassLoader(loader, () -> Jflyte.loadTasks(env));
        // jflyte execute takes the first entry whose name matches, in the map's order.
        Map<String, RunnableTask> byName = new HashMap<>();
        found.forEach((id, task) -> byName.putIfAbsent(id.name(), task));
        System.err.println("parity-testee: " + byName.size() + " tasks in " + dir);
        return new TaskFolder(loader, byName, null);
      } catch (Throwable e) {
        System.err.println("parity-testee: loading the tasks of " + dir + " failed: " + e);
        return new TaskFolder(loader, Collections.emptyMap(), e);
      }
    }
  }
}
