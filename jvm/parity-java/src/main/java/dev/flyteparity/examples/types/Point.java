package dev.flyteparity.examples.types;

import com.google.auto.value.AutoValue;
import java.util.List;

/** A struct for the type table: numbers, text, a list and a nested struct. */
@AutoValue
public abstract class Point {
  public abstract double x();

  public abstract long y();

  public abstract String label();

  public abstract List<String> tags();

  public abstract Inner inner();

  public static Point create(double x, long y, String label, List<String> tags, Inner inner) {
    return new AutoValue_Point(x, y, label, tags, inner);
  }

  /** A nested struct. */
  @AutoValue
  public abstract static class Inner {
    public abstract boolean flag();

    public static Inner create(boolean flag) {
      return new AutoValue_Point_Inner(flag);
    }
  }
}
