using System.Buffers;
using System.Buffers.Binary;

namespace Pacer.Limiting;

/// <summary>
/// The input tokens of a base64 image: its pixel size read from the PNG, GIF, JPEG or WebP header, scaled down as the
/// API does (long edge at most 1568 px, about 1.15 megapixels), at one token per 750 pixels.
/// </summary>
internal static class ImageSize
{
    private const int HeaderBytes = 64 * 1024;
    private const double MaxPixels = 1_200_000;
    private const double MaxEdge = 1568;

    public static long Tokens(ReadOnlySpan<byte> base64, bool escaped)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(HeaderBytes);
        try
        {
            var reader = new Base64Reader(base64, escaped);
            var length = 0;
            int read;
            while (length < HeaderBytes - 3072 && (read = reader.Read(buffer.AsSpan(length, 3072))) > 0)
            {
                length += read;
            }

            return TryReadSize(buffer.AsSpan(0, length), out var width, out var height)
                ? TokensFor(width, height)
                : RequestBodyMeasure.ImageTokens;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static long TokensFor(int width, int height)
    {
        if (width <= 0 || height <= 0)
        {
            return RequestBodyMeasure.ImageTokens;
        }

        double pixels = (double)width * height;
        var scale = Math.Min(1, Math.Min(MaxEdge / Math.Max(width, height), Math.Sqrt(MaxPixels / pixels)));
        return Math.Min(RequestBodyMeasure.ImageTokens, (long)Math.Ceiling(pixels * scale * scale / 750));
    }

    public static bool TryReadSize(ReadOnlySpan<byte> image, out int width, out int height)
    {
        width = height = 0;
        if (image.Length >= 24 && image[0] == 0x89 && image[1..].StartsWith("PNG"u8))
        {
            width = BinaryPrimitives.ReadInt32BigEndian(image[16..]);
            height = BinaryPrimitives.ReadInt32BigEndian(image[20..]);
        }
        else if (image.Length >= 10 && image.StartsWith("GIF8"u8))
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(image[6..]);
            height = BinaryPrimitives.ReadUInt16LittleEndian(image[8..]);
        }
        else if (image.Length >= 30 && image.StartsWith("RIFF"u8) && image[8..].StartsWith("WEBP"u8))
        {
            ReadWebP(image, out width, out height);
        }
        else if (image.Length >= 4 && image[0] == 0xFF && image[1] == 0xD8)
        {
            ReadJpeg(image, out width, out height);
        }

        return width > 0 && height > 0;
    }

    private static void ReadWebP(ReadOnlySpan<byte> image, out int width, out int height)
    {
        var chunk = image.Slice(12, 4);
        if (chunk.SequenceEqual("VP8X"u8))
        {
            width = 1 + (image[24] | (image[25] << 8) | (image[26] << 16));
            height = 1 + (image[27] | (image[28] << 8) | (image[29] << 16));
        }
        else if (chunk.SequenceEqual("VP8 "u8))
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(image[26..]) & 0x3FFF;
            height = BinaryPrimitives.ReadUInt16LittleEndian(image[28..]) & 0x3FFF;
        }
        else if (chunk.SequenceEqual("VP8L"u8))
        {
            var bits = BinaryPrimitives.ReadUInt32LittleEndian(image[21..]);
            width = (int)(bits & 0x3FFF) + 1;
            height = (int)((bits >> 14) & 0x3FFF) + 1;
        }
        else
        {
            width = height = 0;
        }
    }

    private static void ReadJpeg(ReadOnlySpan<byte> image, out int width, out int height)
    {
        width = height = 0;
        var i = 2;
        while (i + 9 < image.Length && image[i] == 0xFF)
        {
            var marker = image[i + 1];
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                height = BinaryPrimitives.ReadUInt16BigEndian(image[(i + 5)..]);
                width = BinaryPrimitives.ReadUInt16BigEndian(image[(i + 7)..]);
                return;
            }

            i += 2 + BinaryPrimitives.ReadUInt16BigEndian(image[(i + 2)..]);
        }
    }
}
