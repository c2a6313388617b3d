package dev.flyteparity.examples.scala.types

import java.time.{Duration, Instant}

import org.flyte.flytekit.{SdkBindingData, SdkRunnableTask}
import org.flyte.flytekitscala.SdkScalaType

// Type table on the flytekit-scala 0.4 API: one identity task per literal kind. Each task has a
// single input and a single output, both named `value`, and hands its input back untouched. In
// 0.4 every field of an input/output case class is an SdkBindingData[T]; the literal type comes
// from the implicit SdkScalaLiteralType[T] that SdkScalaType finds for T.

/** Input and output of [[IntegerIdentity]]. */
case class IntegerValue(value: SdkBindingData[Long])

/** Returns its integer input unchanged. */
class IntegerIdentity
    extends SdkRunnableTask[IntegerValue, IntegerValue](SdkScalaType[IntegerValue], SdkScalaType[IntegerValue]) {
  override def run(input: IntegerValue): IntegerValue = input
}

/** Input and output of [[FloatIdentity]]. */
case class FloatValue(value: SdkBindingData[Double])

/** Returns its float input unchanged. */
class FloatIdentity
    extends SdkRunnableTask[FloatValue, FloatValue](SdkScalaType[FloatValue], SdkScalaType[FloatValue]) {
  override def run(input: FloatValue): FloatValue = input
}

/** Input and output of [[StringIdentity]]. */
case class StringValue(value: SdkBindingData[String])

/** Returns its string input unchanged. */
class StringIdentity
    extends SdkRunnableTask[StringValue, StringValue](SdkScalaType[StringValue], SdkScalaType[StringValue]) {
  override def run(input: StringValue): StringValue = input
}

/** Input and output of [[BooleanIdentity]]. */
case class BooleanValue(value: SdkBindingData[Boolean])

/** Returns its boolean input unchanged. */
class BooleanIdentity
    extends SdkRunnableTask[BooleanValue, BooleanValue](SdkScalaType[BooleanValue], SdkScalaType[BooleanValue]) {
  override def run(input: BooleanValue): BooleanValue = input
}

/** Input and output of [[DatetimeIdentity]]. */
case class DatetimeValue(value: SdkBindingData[Instant])

/** Returns its datetime input unchanged. */
class DatetimeIdentity
    extends SdkRunnableTask[DatetimeValue, DatetimeValue](SdkScalaType[DatetimeValue], SdkScalaType[DatetimeValue]) {
  override def run(input: DatetimeValue): DatetimeValue = input
}

/** Input and output of [[DurationIdentity]]. */
case class DurationValue(value: SdkBindingData[Duration])

/** Returns its duration input unchanged. */
class DurationIdentity
    extends SdkRunnableTask[DurationValue, DurationValue](SdkScalaType[DurationValue], SdkScalaType[DurationValue]) {
  override def run(input: DurationValue): DurationValue = input
}

/** Input and output of [[ListIdentity]]. */
case class ListValue(value: SdkBindingData[List[Long]])

/** Returns its list input unchanged. */
class ListIdentity
    extends SdkRunnableTask[ListValue, ListValue](SdkScalaType[ListValue], SdkScalaType[ListValue]) {
  override def run(input: ListValue): ListValue = input
}

/** Input and output of [[MapIdentity]]. */
case class MapValue(value: SdkBindingData[Map[String, Long]])

/** Returns its map input unchanged. */
class MapIdentity
    extends SdkRunnableTask[MapValue, MapValue](SdkScalaType[MapValue], SdkScalaType[MapValue]) {
  override def run(input: MapValue): MapValue = input
}

/** Input and output of [[NestedListIdentity]]. */
case class NestedListValue(value: SdkBindingData[List[List[String]]])

/** Returns its nested list input unchanged. */
class NestedListIdentity
    extends SdkRunnableTask[NestedListValue, NestedListValue](
      SdkScalaType[NestedListValue],
      SdkScalaType[NestedListValue]
    ) {
  override def run(input: NestedListValue): NestedListValue = input
}

/** Input and output of [[NestedMapIdentity]]. */
case class NestedMapValue(value: SdkBindingData[Map[String, Map[String, Double]]])

/** Returns its nested map input unchanged. */
class NestedMapIdentity
    extends SdkRunnableTask[NestedMapValue, NestedMapValue](
      SdkScalaType[NestedMapValue],
      SdkScalaType[NestedMapValue]
    ) {
  override def run(input: NestedMapValue): NestedMapValue = input
}

// ---------------------------------------------------------------------------------------------
// Kinds flytekit-scala 0.3 had no mapping for and 0.4.62 has.
// ---------------------------------------------------------------------------------------------

/** Inner record of [[Point]]; same fields as python_wf.types.Inner. */
case class Inner(flag: Boolean)

/** A record with a nested record; same fields as python_wf.types.Point. A case class used as
  * the T of SdkBindingData[T] is a Flyte STRUCT (flytekit-scala's `generics()` literal type).
  */
case class Point(x: Double, y: Long, label: String, tags: List[String], inner: Inner)

/** Input and output of [[StructIdentity]]. */
case class StructValue(value: SdkBindingData[Point])

/** Returns its struct (nested case class) input unchanged. */
class StructIdentity
    extends SdkRunnableTask[StructValue, StructValue](SdkScalaType[StructValue], SdkScalaType[StructValue]) {
  override def run(input: StructValue): StructValue = input
}

/** Input and output of [[StructListIdentity]]. */
case class StructListValue(value: SdkBindingData[List[Point]])

/** Returns its list of structs unchanged: a Flyte collection whose elements are STRUCTs. */
class StructListIdentity
    extends SdkRunnableTask[StructListValue, StructListValue](
      SdkScalaType[StructListValue],
      SdkScalaType[StructListValue]
    ) {
  override def run(input: StructListValue): StructListValue = input
}

/** Input and output of [[StructMapIdentity]]. */
case class StructMapValue(value: SdkBindingData[Map[String, Point]])

/** Returns its map of structs unchanged: a Flyte map whose values are STRUCTs. */
class StructMapIdentity
    extends SdkRunnableTask[StructMapValue, StructMapValue](
      SdkScalaType[StructMapValue],
      SdkScalaType[StructMapValue]
    ) {
  override def run(input: StructMapValue): StructMapValue = input
}
