using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Pacer.Gateway.Tests.Fuzz;

/// <summary>
/// Generators of hostile JSON texts: wrong types, huge and malformed numbers, escapes that decode to lone surrogates,
/// very long strings, duplicate keys, deep nesting, and byte-level damage (truncation, invalid UTF-8).
/// </summary>
internal static class FuzzJson
{
    public static readonly string[] Numbers =
    [
        "0", "-0", "1", "-1", "2", "3", "5", "50", "100", "999", "1000", "1001", "65536", "2147483647", "2147483648", "-2147483649",
        "9223372036854775807", "9223372036854775808", "18446744073709551616", "123456789012345678901234567890123456789012345678901234567890",
        "1e308", "1e309", "-1e400", "1E2", "1.5", "0.5", "0.0001", "100.0", "1e-400", "4.9e-324", "79228162514264337593543950336",
        "01", "+1", ".5", "1.", "0x10", "NaN", "Infinity", "-Infinity", "1e", "--1",
    ];

    /// <summary>The body of a JSON string literal, without its quotes: plain words, escapes (some invalid), raw unicode, control bytes.</summary>
    public static readonly Gen<string> StringContent = Gen.Frequency(
        (6, Gen.Elements("alice", "bob", "day", "month", "week", "claude-sonnet-4-5", "batch", "interactive", "user", "model", "", " ", "null", "1000", "-5")),
        (2, Gen.Elements(@"\u0000", @"\ud800", @"\udc00\ud800", @"\uD83D\uDE00", @"\""", @"\\", @"\n", @"\t", @"\u00e9", @"\x41", @"\u12", @"\", "\u0001", "\n", "\t")),
        (2, Gen.Choose(0x20, 0x2FFF).Select(c => (char)c).Where(c => c is not ('"' or '\\') && !char.IsSurrogate(c)).ArrayOf().Select(cs => new string(cs))),
        (1, Gen.Elements(201, 1000, 65_000, 70_000).Select(n => new string('a', n))));

    public static readonly Gen<string> String = StringContent.ListOf().Select(parts => "\"" + string.Concat(parts.Take(4)) + "\"");

    public static readonly Gen<string> Number = Gen.Elements(Numbers);

    public static readonly Gen<string> Scalar = Gen.Frequency(
        (3, Number), (3, String), (1, Gen.Elements("true", "false", "null", "tru", "nul", "\"", "'x'", "undefined")));

    /// <summary>Any JSON value, nesting as deep as the size allows; objects draw keys from a small set so that keys repeat.</summary>
    public static Gen<string> Value(params string[] keys) => Gen.Sized(size => ValueOf(Math.Min(size / 20, 4), keys));

    /// <summary>An array or object nested <c>depth</c> levels, from 1 to well past any parser's limit.</summary>
    public static readonly Gen<string> Deep = Gen.Zip(Gen.Elements(1, 63, 64, 65, 200, 1000, 5000), Gen.Elements("[", "{\"a\":")).Select(t =>
    {
        var (depth, open) = t;
        var close = open == "[" ? "]" : "}";
        return string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth));
    });

    /// <summary>An object with exactly these members (raw JSON values), keys in the given order, duplicates kept.</summary>
    public static string Object(IEnumerable<(string Key, string Value)> members) =>
        "{" + string.Join(",", members.Select(m => $"\"{m.Key}\":{m.Value}")) + "}";

    public static Gen<string> ObjectOf(Gen<string> keys, Gen<string> values) =>
        Gen.Zip(keys, values).ListOf().Select(members => Object(members.Take(8)));

    /// <summary>The text as UTF-8, sometimes damaged: cut short, a byte dropped, or an invalid UTF-8 sequence put in.</summary>
    public static Gen<byte[]> Damaged(Gen<string> json) => Gen.Zip(Gen.Zip(json, Gen.Choose(0, 9)), Gen.Choose(0, int.MaxValue), (a, b) => (a.Item1, a.Item2, b)).Select(t =>
    {
        var (text, how, where) = t;
        var bytes = Encoding.UTF8.GetBytes(text);
        var at = bytes.Length == 0 ? 0 : where % bytes.Length;
        return how switch
        {
            0 => bytes[..at],
            1 when bytes.Length > 0 => [.. bytes[..at], .. bytes[(at + 1)..]],
            2 => [.. bytes[..at], 0xFF, .. bytes[at..]],
            3 => [.. bytes[..at], 0xC0, 0xAF, .. bytes[at..]],
            4 => [.. bytes[..at], 0xED, 0xA0, 0x80, .. bytes[at..]],
            5 => [.. bytes[..at], 0xE2, 0x82, .. bytes[at..]],
            6 => [0xEF, 0xBB, 0xBF, .. bytes],
            _ => bytes,
        };
    });

    /// <summary>Bytes to send as a JSON body: mostly shaped like <paramref name="shaped"/>, sometimes any value, deep, or damaged.</summary>
    public static Gen<byte[]> Body(Gen<string> shaped, params string[] keys) => Gen.Frequency(
        (6, Damaged(shaped)),
        (2, Value(keys).Select(Encoding.UTF8.GetBytes)),
        (1, Deep.Select(Encoding.UTF8.GetBytes)),
        (1, Gen.Elements(string.Empty, " ", "{", "}", "[]", "{}", "null", "\"x\"", "{\"\":1}", "{\"a\" 1}", "{,}", "{\"a\":1,}").Select(Encoding.UTF8.GetBytes)));

    private static Gen<string> ValueOf(int depth, string[] keys) =>
        depth == 0
            ? Scalar
            : Gen.Frequency(
                (4, Scalar),
                (1, ValueOf(depth - 1, keys).ListOf().Select(items => "[" + string.Join(",", items.Take(6)) + "]")),
                (2, ObjectOf(keys.Length == 0 ? String.Select(s => s.Trim('"')) : Gen.Elements(keys), ValueOf(depth - 1, keys))));
}
