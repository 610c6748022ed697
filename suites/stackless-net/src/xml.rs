//! The XML-RPC subset the service speaks: `int`, `string` and `array`
//! values in `methodCall` and `methodResponse` documents.

use crate::Error;

/// A value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `<int>`.
    Int(i64),
    /// `<string>`.
    Str(String),
    /// `<array>`.
    Array(Vec<Value>),
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

fn write_value(out: &mut String, v: &Value) {
    out.push_str("<value>");
    match v {
        Value::Int(n) => out.push_str(&format!("<int>{n}</int>")),
        Value::Str(s) => out.push_str(&format!("<string>{}</string>", escape(s))),
        Value::Array(items) => {
            out.push_str("<array><data>");
            for item in items {
                write_value(out, item);
            }
            out.push_str("</data></array>");
        }
    }
    out.push_str("</value>");
}

fn params(values: &[Value]) -> String {
    let mut out = String::from("<params>");
    for v in values {
        out.push_str("<param>");
        write_value(&mut out, v);
        out.push_str("</param>");
    }
    out.push_str("</params>");
    out
}

/// A `methodCall` document.
pub fn method_call(method: &str, args: &[Value]) -> String {
    format!(
        "<?xml version=\"1.0\"?><methodCall><methodName>{}</methodName>{}</methodCall>",
        escape(method),
        params(args)
    )
}

/// A `methodResponse` with one value.
pub fn response(value: &Value) -> String {
    format!(
        "<?xml version=\"1.0\"?><methodResponse>{}</methodResponse>",
        params(std::slice::from_ref(value))
    )
}

/// A `methodResponse` with a fault.
pub fn fault(message: &str) -> String {
    let mut v = String::new();
    write_value(&mut v, &Value::Str(message.to_owned()));
    format!("<?xml version=\"1.0\"?><methodResponse><fault>{v}</fault></methodResponse>")
}

/// A cursor over a document's tags.
struct Reader<'a> {
    rest: &'a str,
}

impl<'a> Reader<'a> {
    fn expect(&mut self, tag: &str) -> Result<(), Error> {
        self.rest = self.rest.trim_start();
        self.rest = self
            .rest
            .strip_prefix(tag)
            .ok_or_else(|| Error::Protocol(format!("expected {tag} at `{}`", head(self.rest))))?;
        Ok(())
    }

    fn peek(&self, tag: &str) -> bool {
        self.rest.trim_start().starts_with(tag)
    }

    fn text_until(&mut self, end: &str) -> Result<&'a str, Error> {
        let i = self
            .rest
            .find(end)
            .ok_or_else(|| Error::Protocol(format!("no {end}")))?;
        let text = &self.rest[..i];
        self.rest = &self.rest[i + end.len()..];
        Ok(text)
    }

    fn value(&mut self) -> Result<Value, Error> {
        self.expect("<value>")?;
        let v = if self.peek("<int>") {
            self.expect("<int>")?;
            let n = self.text_until("</int>")?;
            Value::Int(n.trim().parse().map_err(|_| Error::Protocol(format!("bad int {n}")))?)
        } else if self.peek("<string>") {
            self.expect("<string>")?;
            Value::Str(unescape(self.text_until("</string>")?))
        } else if self.peek("<array>") {
            self.expect("<array>")?;
            self.expect("<data>")?;
            let mut items = Vec::new();
            while self.peek("<value>") {
                items.push(self.value()?);
            }
            self.expect("</data>")?;
            self.expect("</array>")?;
            Value::Array(items)
        } else {
            return Err(Error::Protocol(format!("unknown value at `{}`", head(self.rest))));
        };
        self.expect("</value>")?;
        Ok(v)
    }

    fn params(&mut self) -> Result<Vec<Value>, Error> {
        self.expect("<params>")?;
        let mut values = Vec::new();
        while self.peek("<param>") {
            self.expect("<param>")?;
            values.push(self.value()?);
            self.expect("</param>")?;
        }
        self.expect("</params>")?;
        Ok(values)
    }
}

fn head(text: &str) -> &str {
    &text[..text.len().min(40)]
}

fn body(doc: &str) -> &str {
    match doc.find("?>") {
        Some(i) if doc.trim_start().starts_with("<?xml") => &doc[i + 2..],
        _ => doc,
    }
}

/// Parses a `methodCall`: the method and its arguments.
pub fn parse_call(doc: &str) -> Result<(String, Vec<Value>), Error> {
    let mut r = Reader { rest: body(doc) };
    r.expect("<methodCall>")?;
    r.expect("<methodName>")?;
    let method = unescape(r.text_until("</methodName>")?);
    let args = r.params()?;
    r.expect("</methodCall>")?;
    Ok((method, args))
}

/// Parses a `methodResponse`: its value, or its fault as an error.
pub fn parse_response(doc: &str) -> Result<Value, Error> {
    let mut r = Reader { rest: body(doc) };
    r.expect("<methodResponse>")?;
    if r.peek("<fault>") {
        r.expect("<fault>")?;
        let v = r.value()?;
        return Err(Error::Fault(match v {
            Value::Str(s) => s,
            other => format!("{other:?}"),
        }));
    }
    let mut values = r.params()?;
    r.expect("</methodResponse>")?;
    if values.len() != 1 {
        return Err(Error::Protocol(format!("{} values in a response", values.len())));
    }
    Ok(values.remove(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_and_responses_round_trip() {
        let args = vec![
            Value::Int(-3),
            Value::Str("a <b> & c".into()),
            Value::Array(vec![Value::Int(1), Value::Array(vec![])]),
        ];
        let (method, parsed) = parse_call(&method_call("sum.all", &args)).unwrap();
        assert_eq!(method, "sum.all");
        assert_eq!(parsed, args);
        assert_eq!(parse_response(&response(&Value::Int(7))).unwrap(), Value::Int(7));
        assert!(matches!(parse_response(&fault("no such method")), Err(Error::Fault(m)) if m == "no such method"));
    }

    #[test]
    fn garbage_is_a_protocol_error() {
        assert!(matches!(parse_call("<methodCall><oops/>"), Err(Error::Protocol(_))));
    }
}
