//! Serializing with every fractional number rounded to three decimals, as JSON and CSV output
//! print them. A serde adapter: the value streams through it to the writer, so no copy of the
//! document is built in memory, whatever its size.

use serde::ser::{
    Serialize, SerializeMap, SerializeSeq, SerializeStruct, SerializeStructVariant, SerializeTuple,
    SerializeTupleStruct, SerializeTupleVariant, Serializer,
};

/// Decimals kept: a millimetre, a millisecond, a thousandth of a ratio or a percent. Sums and
/// ratios of measured values carry binary noise (`316.60000000000036`) that says nothing.
const SCALE: f64 = 1000.0;

/// `x` to three decimals; values of a trillion or more have nothing left to round, and -0
/// becomes 0.
pub fn round(x: f64) -> f64 {
    if x.is_finite() && x.abs() < 1e12 {
        (x * SCALE).round() / SCALE + 0.0
    } else {
        x
    }
}

/// A value that serializes as itself with its numbers rounded by [`round`].
pub struct Rounded<'a, T: ?Sized>(pub &'a T);

impl<T: Serialize + ?Sized> Serialize for Rounded<'_, T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(Rounding(serializer))
    }
}

/// The serializer `S` with [`round`] applied to every float on the way.
struct Rounding<S>(S);

/// A compound serializer of `S` whose parts are serialized [`Rounded`].
struct Parts<C>(C);

impl<S: Serializer> Serializer for Rounding<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Parts<S::SerializeSeq>;
    type SerializeTuple = Parts<S::SerializeTuple>;
    type SerializeTupleStruct = Parts<S::SerializeTupleStruct>;
    type SerializeTupleVariant = Parts<S::SerializeTupleVariant>;
    type SerializeMap = Parts<S::SerializeMap>;
    type SerializeStruct = Parts<S::SerializeStruct>;
    type SerializeStructVariant = Parts<S::SerializeStructVariant>;

    fn serialize_f64(self, v: f64) -> Result<S::Ok, S::Error> {
        self.0.serialize_f64(round(v))
    }
    fn serialize_f32(self, v: f32) -> Result<S::Ok, S::Error> {
        self.0.serialize_f64(round(f64::from(v)))
    }

    fn serialize_bool(self, v: bool) -> Result<S::Ok, S::Error> {
        self.0.serialize_bool(v)
    }
    fn serialize_i8(self, v: i8) -> Result<S::Ok, S::Error> {
        self.0.serialize_i8(v)
    }
    fn serialize_i16(self, v: i16) -> Result<S::Ok, S::Error> {
        self.0.serialize_i16(v)
    }
    fn serialize_i32(self, v: i32) -> Result<S::Ok, S::Error> {
        self.0.serialize_i32(v)
    }
    fn serialize_i64(self, v: i64) -> Result<S::Ok, S::Error> {
        self.0.serialize_i64(v)
    }
    fn serialize_i128(self, v: i128) -> Result<S::Ok, S::Error> {
        self.0.serialize_i128(v)
    }
    fn serialize_u8(self, v: u8) -> Result<S::Ok, S::Error> {
        self.0.serialize_u8(v)
    }
    fn serialize_u16(self, v: u16) -> Result<S::Ok, S::Error> {
        self.0.serialize_u16(v)
    }
    fn serialize_u32(self, v: u32) -> Result<S::Ok, S::Error> {
        self.0.serialize_u32(v)
    }
    fn serialize_u64(self, v: u64) -> Result<S::Ok, S::Error> {
        self.0.serialize_u64(v)
    }
    fn serialize_u128(self, v: u128) -> Result<S::Ok, S::Error> {
        self.0.serialize_u128(v)
    }
    fn serialize_char(self, v: char) -> Result<S::Ok, S::Error> {
        self.0.serialize_char(v)
    }
    fn serialize_str(self, v: &str) -> Result<S::Ok, S::Error> {
        self.0.serialize_str(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<S::Ok, S::Error> {
        self.0.serialize_bytes(v)
    }
    fn serialize_none(self) -> Result<S::Ok, S::Error> {
        self.0.serialize_none()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        self.0.serialize_some(&Rounded(value))
    }
    fn serialize_unit(self) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit()
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit_struct(name)
    }
    fn serialize_unit_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_unit_variant(name, index, variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0.serialize_newtype_struct(name, &Rounded(value))
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        self.0
            .serialize_newtype_variant(name, index, variant, &Rounded(value))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        self.0.serialize_seq(len).map(Parts)
    }
    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, S::Error> {
        self.0.serialize_tuple(len).map(Parts)
    }
    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        self.0.serialize_tuple_struct(name, len).map(Parts)
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        self.0
            .serialize_tuple_variant(name, index, variant, len)
            .map(Parts)
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        self.0.serialize_map(len).map(Parts)
    }
    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        self.0.serialize_struct(name, len).map(Parts)
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        self.0
            .serialize_struct_variant(name, index, variant, len)
            .map(Parts)
    }
    fn is_human_readable(&self) -> bool {
        self.0.is_human_readable()
    }
}

/// The compound serializers whose parts come one by one, each rounded.
macro_rules! rounded_parts {
    ($($compound:ident::$part:ident),* $(,)?) => {$(
        impl<C: $compound> $compound for Parts<C> {
            type Ok = C::Ok;
            type Error = C::Error;
            fn $part<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
                self.0.$part(&Rounded(value))
            }
            fn end(self) -> Result<C::Ok, C::Error> {
                self.0.end()
            }
        }
    )*};
}

rounded_parts!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
);

/// The compound serializers whose parts are named fields, each rounded.
macro_rules! rounded_fields {
    ($($compound:ident),* $(,)?) => {$(
        impl<C: $compound> $compound for Parts<C> {
            type Ok = C::Ok;
            type Error = C::Error;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), C::Error> {
                self.0.serialize_field(key, &Rounded(value))
            }
            fn skip_field(&mut self, key: &'static str) -> Result<(), C::Error> {
                self.0.skip_field(key)
            }
            fn end(self) -> Result<C::Ok, C::Error> {
                self.0.end()
            }
        }
    )*};
}

rounded_fields!(SerializeStruct, SerializeStructVariant);

impl<C: SerializeMap> SerializeMap for Parts<C> {
    type Ok = C::Ok;
    type Error = C::Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), C::Error> {
        self.0.serialize_key(&Rounded(key))
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), C::Error> {
        self.0.serialize_value(&Rounded(value))
    }
    fn end(self) -> Result<C::Ok, C::Error> {
        self.0.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    #[test]
    fn every_shape_of_value_is_rounded() {
        #[derive(serde::Serialize)]
        enum Shape {
            Newtype(f64),
            Tuple(f64, u32),
            Struct { x: f64 },
        }
        #[derive(serde::Serialize)]
        struct Wrapper(f32);
        #[derive(serde::Serialize)]
        struct Pair(f64, Option<f64>);
        let map: BTreeMap<&str, Vec<Option<f64>>> =
            [("a", vec![Some(0.1 + 0.2), None, Some(-0.0001)])].into();
        let value = (
            map,
            Shape::Newtype(1.23456),
            Shape::Tuple(2.00049, 7),
            Shape::Struct { x: 1e15 + 0.5 },
            Wrapper(0.1),
            Pair(0.1 + 0.7, Some(2.0 / 3.0)),
            [f64::NAN],
            u64::MAX,
        );
        assert_eq!(
            serde_json::to_string(&Rounded(&value)).unwrap(),
            r#"[{"a":[0.3,null,0.0]},{"Newtype":1.235},{"Tuple":[2.0,7]},{"Struct":{"x":1000000000000000.5}},0.1,[0.8,0.667],[null],18446744073709551615]"#
        );
    }

    proptest! {
        /// Rounding keeps every value within half a thousandth and prints at most three
        /// decimals.
        #[test]
        fn rounding_moves_a_value_by_at_most_half_a_thousandth(x in -1e9f64..1e9) {
            let r = round(x);
            prop_assert!((r - x).abs() <= 0.0005 + 1e-6, "{x} -> {r}");
            let text = serde_json::to_string(&Rounded(&x)).unwrap();
            let decimals = text.split('.').nth(1).map_or(0, str::len);
            prop_assert!(decimals <= 3 || text.contains('e'), "{x} -> {text}");
        }
    }
}
