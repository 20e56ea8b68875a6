namespace Pacer.Limiting;

/// <summary>Counts the pages of a base64 PDF by its <c>/Type /Page</c> objects, decoding it chunk by chunk.</summary>
internal static class PdfPages
{
    // A PDF whose page objects sit in compressed object streams shows none: assume one page per this many bytes.
    private const int BytesPerPageGuess = 50_000;
    private const int Carry = 16;
    private const int Chunk = 3072;

    public static long Count(ReadOnlySpan<byte> base64, bool escaped)
    {
        Span<byte> buffer = stackalloc byte[Carry + Chunk];
        var reader = new Base64Reader(base64, escaped);
        long pages = 0;
        long decoded = 0;
        var carried = 0;
        while (true)
        {
            var read = reader.Read(buffer.Slice(carried, Chunk));
            decoded += read;
            var total = carried + read;
            var last = read == 0;
            var scanEnd = last ? total : total - Carry;
            for (var i = 0; i < scanEnd; i++)
            {
                if (buffer[i] == '/' && IsPageObject(buffer[i..total]))
                {
                    pages++;
                }
            }

            if (last)
            {
                break;
            }

            buffer.Slice(total - Carry, Carry).CopyTo(buffer);
            carried = Carry;
        }

        return pages > 0 ? pages : Math.Max(1, decoded / BytesPerPageGuess);
    }

    private static bool IsPageObject(ReadOnlySpan<byte> text)
    {
        if (!text.StartsWith("/Type"u8))
        {
            return false;
        }

        var i = 5;
        while (i < text.Length && i < 9 && text[i] is (byte)' ' or (byte)'\r' or (byte)'\n' or (byte)'\t')
        {
            i++;
        }

        var rest = text[i..];
        return rest.StartsWith("/Page"u8) && (rest.Length == 5 || rest[5] != 's');
    }
}
