package dev.flyteparity.examples.scala.types

import java.time.{Duration, Instant}

import org.flyte.flytekit.SdkRunnableTask
import org.flyte.flytekitscala.SdkScalaType

// Type table: one identity task per literal kind flytekit-scala maps (value in, same value out).

/** Input and output of [[IntegerIdentity]]. */
case class IntegerValue(value: Long)

/** Returns its integer input unchanged. */
class IntegerIdentity extends SdkRunnableTask(SdkScalaType[IntegerValue], SdkScalaType[IntegerValue]) {
  override def run(input: IntegerValue): IntegerValue = input
}

/** Input and output of [[FloatIdentity]]. */
case class FloatValue(value: Double)

/** Returns its float input unchanged. */
class FloatIdentity extends SdkRunnableTask(SdkScalaType[FloatValue], SdkScalaType[FloatValue]) {
  override def run(input: FloatValue): FloatValue = input
}

/** Input and output of [[StringIdentity]]. */
case class StringValue(value: String)

/** Returns its string input unchanged. */
class StringIdentity extends SdkRunnableTask(SdkScalaType[StringValue], SdkScalaType[StringValue]) {
  override def run(input: StringValue): StringValue = input
}

/** Input and output of [[BooleanIdentity]]. */
case class BooleanValue(value: Boolean)

/** Returns its boolean input unchanged. */
class BooleanIdentity extends SdkRunnableTask(SdkScalaType[BooleanValue], SdkScalaType[BooleanValue]) {
  override def run(input: BooleanValue): BooleanValue = input
}

/** Input and output of [[DatetimeIdentity]]. */
case class DatetimeValue(value: Instant)

/** Returns its datetime input unchanged. */
class DatetimeIdentity extends SdkRunnableTask(SdkScalaType[DatetimeValue], SdkScalaType[DatetimeValue]) {
  override def run(input: DatetimeValue): DatetimeValue = input
}

/** Input and output of [[DurationIdentity]]. */
case class DurationValue(value: Duration)

/** Returns its duration input unchanged. */
class DurationIdentity extends SdkRunnableTask(SdkScalaType[DurationValue], SdkScalaType[DurationValue]) {
  override def run(input: DurationValue): DurationValue = input
}

/** Input and output of [[ListIdentity]]. */
case class ListValue(value: List[Long])

/** Returns its list input unchanged. */
class ListIdentity extends SdkRunnableTask(SdkScalaType[ListValue], SdkScalaType[ListValue]) {
  override def run(input: ListValue): ListValue = input
}

/** Input and output of [[MapIdentity]]. */
case class MapValue(value: Map[String, Long])

/** Returns its map input unchanged. */
class MapIdentity extends SdkRunnableTask(SdkScalaType[MapValue], SdkScalaType[MapValue]) {
  override def run(input: MapValue): MapValue = input
}

/** Input and output of [[NestedListIdentity]]. */
case class NestedListValue(value: List[List[String]])

/** Returns its nestedlist input unchanged. */
class NestedListIdentity extends SdkRunnableTask(SdkScalaType[NestedListValue], SdkScalaType[NestedListValue]) {
  override def run(input: NestedListValue): NestedListValue = input
}

/** Input and output of [[NestedMapIdentity]]. */
case class NestedMapValue(value: Map[String, Map[String, Double]])

/** Returns its nestedmap input unchanged. */
class NestedMapIdentity extends SdkRunnableTask(SdkScalaType[NestedMapValue], SdkScalaType[NestedMapValue]) {
  override def run(input: NestedMapValue): NestedMapValue = input
}
