using System.Buffers.Text;
using System.Globalization;

namespace Pacer.Limiting;

/// <summary>Decodes a base64 JSON string value (raw, possibly with JSON escapes) chunk by chunk, without allocating.</summary>
internal ref struct Base64Reader(ReadOnlySpan<byte> raw, bool escaped)
{
    private const int MaxChunkText = 4096;

    private ReadOnlySpan<byte> _rest = raw;

    /// <summary>Gets the decoded size, from the text length (close for unescaped values).</summary>
    public static long DecodedLength(ReadOnlySpan<byte> raw) => raw.Length / 4L * 3;

    /// <summary>Decodes the next bytes into <paramref name="destination"/>; 0 at the end or on invalid text.</summary>
    public int Read(scoped Span<byte> destination)
    {
        Span<byte> text = stackalloc byte[Math.Min(MaxChunkText, destination.Length / 3 * 4)];
        var length = 0;
        while (length < text.Length && !_rest.IsEmpty)
        {
            var next = _rest[0];
            var used = 1;
            if (escaped && next == '\\' && _rest.Length >= 2)
            {
                (next, used) = _rest[1] == 'u' && _rest.Length >= 6
                    && byte.TryParse(_rest.Slice(2, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code)
                    ? (code, 6)
                    : (_rest[1], 2);
            }

            _rest = _rest[used..];
            var whitespace = next is (byte)'\n' or (byte)'\r' or (byte)' ' or (byte)'\t'
                || (used == 2 && next is (byte)'n' or (byte)'r' or (byte)'t');
            if (!whitespace)
            {
                text[length++] = next;
            }
        }

        if (length == 0)
        {
            return 0;
        }

        Base64.DecodeFromUtf8(text[..length], destination, out _, out var written, isFinalBlock: _rest.IsEmpty);
        return written;
    }
}
