using System.Globalization;
using System.Text.Json;

namespace Pacer.Limiting;

/// <summary>
/// What a Messages request body holds that costs input tokens: the bytes of its text (system, messages, tools) and
/// fixed amounts for images, PDF documents, messages and the tool-use system prompt. One pass, no allocation
/// (apart from decoding a PDF to count its pages).
/// </summary>
internal readonly record struct RequestBodyMeasure(long TextBytes, long FixedTokens)
{
    /// <summary>Tokens each message adds for its role framing.</summary>
    public const int PerMessageTokens = 4;

    /// <summary>Tokens every request adds.</summary>
    public const int PerRequestTokens = 3;

    /// <summary>Tokens of the system prompt the API adds when tools are given.</summary>
    public const int ToolsTokens = 350;

    /// <summary>Tokens of an image whose size is unknown: the most an image costs after the API scales it down.</summary>
    public const int ImageTokens = 1600;

    /// <summary>Tokens of one PDF page: its text and its page image.</summary>
    public const int PdfPageTokens = 3000;

    private const int MaxDepth = 64;

    public static RequestBodyMeasure Measure(ReadOnlySpan<byte> body)
    {
        try
        {
            return Walk(body);
        }
        catch (JsonException)
        {
            return new RequestBodyMeasure(body.Length, PerRequestTokens);
        }
    }

    private static RequestBodyMeasure Walk(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 256 });

        // kinds[d]: the "type" of the object whose members are at depth d (image, document, ...).
        Span<BlockKind> kinds = stackalloc BlockKind[MaxDepth];
        long text = 0;
        long fixedTokens = PerRequestTokens;
        var top = Field.Other;
        var property = Field.Other;
        var mediaKind = BlockKind.None;
        var mediaDepth = -1;
        while (reader.Read())
        {
            var depth = reader.CurrentDepth;
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName when depth == 1:
                    top = TopLevel(ref reader);
                    fixedTokens += top == Field.Tools ? ToolsTokens : 0;
                    property = Field.Other;
                    break;
                case JsonTokenType.PropertyName when top != Field.Other:
                    property = Classify(ref reader);
                    text += property == Field.Other ? reader.ValueSpan.Length : 0;
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray when top != Field.Other:
                    if (property == Field.Skip)
                    {
                        reader.Skip();
                    }
                    else
                    {
                        fixedTokens += top == Field.Messages && depth == 2 && reader.TokenType == JsonTokenType.StartObject ? PerMessageTokens : 0;
                        if (depth + 1 < MaxDepth)
                        {
                            kinds[depth + 1] = BlockKind.None;
                        }

                        mediaDepth = -1;
                    }

                    property = Field.Other;
                    break;
                case JsonTokenType.String when top != Field.Other:
                    switch (property)
                    {
                        case Field.Type:
                            if (depth < MaxDepth)
                            {
                                kinds[depth] = KindOf(reader.ValueSpan);
                            }

                            break;
                        case Field.MediaType:
                            mediaKind = MediaKindOf(reader.ValueSpan);
                            mediaDepth = depth;
                            break;
                        case Field.Data:
                            var kind = mediaDepth == depth ? mediaKind : ParentKind(kinds, depth);
                            if (kind is BlockKind.Image or BlockKind.Document)
                            {
                                fixedTokens += BinaryTokens(ref reader, kind);
                            }
                            else
                            {
                                text += Utf8Length(ref reader);
                            }

                            break;
                        case Field.Url:
                            fixedTokens += ParentKind(kinds, depth) == BlockKind.Document ? PdfPageTokens : ImageTokens;
                            break;
                        case Field.Skip:
                            break;
                        default:
                            text += Utf8Length(ref reader);
                            break;
                    }

                    property = Field.Other;
                    break;
                case JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False when top != Field.Other:
                    text += property == Field.Skip ? 0 : reader.ValueSpan.Length;
                    property = Field.Other;
                    break;
                default:
                    property = Field.Other;
                    break;
            }
        }

        return new RequestBodyMeasure(text, fixedTokens);
    }

    private static BlockKind ParentKind(ReadOnlySpan<BlockKind> kinds, int depth) =>
        depth >= 1 && depth - 1 < kinds.Length ? kinds[depth - 1] : BlockKind.None;

    private static Field TopLevel(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("messages"u8) ? Field.Messages
        : reader.ValueTextEquals("tools"u8) ? Field.Tools
        : reader.ValueTextEquals("system"u8) || reader.ValueTextEquals("tool_choice"u8) ? Field.Counted
        : Field.Other;

    private static Field Classify(ref Utf8JsonReader reader)
    {
        var name = reader.ValueSpan;
        return name.SequenceEqual("type"u8) ? Field.Type
            : name.SequenceEqual("media_type"u8) ? Field.MediaType
            : name.SequenceEqual("data"u8) ? Field.Data
            : name.SequenceEqual("url"u8) ? Field.Url
            : name.SequenceEqual("cache_control"u8) || name.SequenceEqual("signature"u8) || name.SequenceEqual("citations"u8) ? Field.Skip
            : name.SequenceEqual("role"u8) || name.SequenceEqual("content"u8) || name.SequenceEqual("text"u8) || name.SequenceEqual("source"u8)
              || name.SequenceEqual("id"u8) || name.SequenceEqual("tool_use_id"u8) || name.SequenceEqual("file_id"u8) ? Field.Structural
            : Field.Other;
    }

    private static BlockKind KindOf(ReadOnlySpan<byte> type) =>
        type.SequenceEqual("image"u8) ? BlockKind.Image
        : type.SequenceEqual("document"u8) ? BlockKind.Document
        : BlockKind.None;

    private static BlockKind MediaKindOf(ReadOnlySpan<byte> mediaType) =>
        mediaType.StartsWith("image/"u8) ? BlockKind.Image
        : mediaType.SequenceEqual("application/pdf"u8) ? BlockKind.Document
        : BlockKind.Text;

    private static long BinaryTokens(ref Utf8JsonReader reader, BlockKind kind)
    {
        var base64 = reader.ValueSpan;
        return kind == BlockKind.Image
            ? ImageSize.Tokens(base64, reader.ValueIsEscaped)
            : Math.Max(1, PdfPages.Count(base64, reader.ValueIsEscaped)) * (long)PdfPageTokens;
    }

    /// <summary>The UTF-8 length of a string value once its escapes are undone.</summary>
    private static long Utf8Length(ref Utf8JsonReader reader)
    {
        var raw = reader.ValueSpan;
        if (!reader.ValueIsEscaped)
        {
            return raw.Length;
        }

        long length = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] != '\\' || i + 1 >= raw.Length)
            {
                length++;
            }
            else if (raw[i + 1] == 'u' && i + 5 < raw.Length
                && int.TryParse(raw.Slice(i + 2, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
            {
                // One UTF-16 unit: a surrogate is half of a 4-byte character.
                length += code < 0x80 ? 1 : code < 0x800 || char.IsSurrogate((char)code) ? 2 : 3;
                i += 5;
            }
            else
            {
                length++;
                i++;
            }
        }

        return length;
    }

    private enum Field
    {
        Other,
        Counted,
        Messages,
        Tools,
        Type,
        MediaType,
        Data,
        Url,
        Structural,
        Skip,
    }

    private enum BlockKind : byte
    {
        None,
        Text,
        Image,
        Document,
    }
}
