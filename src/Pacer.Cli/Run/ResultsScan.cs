using System.Buffers;
using System.Text.Json;

namespace Pacer.Cli.Run;

/// <summary>What a results file holds: the answered ids, the counts by result type, a torn tail, the lines to drop.</summary>
internal sealed class ResultsScan
{
    /// <summary>Gets the ids that are answered and must not be sent again.</summary>
    public CustomIdSet Answered { get; } = new();

    public Dictionary<string, long> CountsByType { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the bytes of a torn last line that are cut off.</summary>
    public long TornBytes { get; private set; }

    /// <summary>Gets a value indicating whether the last line is whole but lacks its newline.</summary>
    public bool MissingNewline { get; private set; }

    /// <summary>Gets the byte ranges of lines dropped to be sent again (<c>--retry-errored</c>).</summary>
    public List<(long Start, long End)> Dropped { get; } = [];

    /// <summary>Gets the length of the file without its torn tail.</summary>
    public long KeptLength { get; private set; }

    public long Lines { get; private set; }

    public static async Task<ResultsScan> ReadAsync(string path, Func<string, bool>? retry, CancellationToken cancellationToken)
    {
        var scan = new ResultsScan();
        if (!File.Exists(path))
        {
            return scan;
        }

        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[1 << 16];
            var line = new ArrayBufferWriter<byte>();
            long offset = 0;
            long lineStart = 0;
            long lineNumber = 0;
            long? badLine = null;
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                var span = buffer.AsSpan(0, read);
                while (span.IndexOf((byte)'\n') is var newline and >= 0)
                {
                    line.Write(span[..newline]);
                    var end = offset + newline + 1;
                    lineNumber++;
                    if (badLine is { } earlier)
                    {
                        throw new ResultsFileException($"{path}: line {earlier} is not a result line and is not the last line; move the file aside or fix that line.");
                    }

                    if (!scan.Take(line.WrittenMemory, lineStart, end, retry))
                    {
                        badLine = lineNumber;
                        scan.KeptLength = lineStart;
                    }

                    line.Clear();
                    offset = end;
                    lineStart = end;
                    span = span[(newline + 1)..];
                }

                line.Write(span);
                offset += span.Length;
            }

            if (badLine is null)
            {
                scan.KeptLength = lineStart;
            }

            if (line.WrittenCount > 0)
            {
                // The last line has no newline: a whole result that only lacks it is kept; anything else was torn.
                if (badLine is null && scan.Take(line.WrittenMemory, lineStart, offset, retry))
                {
                    scan.KeptLength = offset;
                    scan.MissingNewline = scan.Dropped.Count == 0 || scan.Dropped[^1].End != offset;
                }
            }

            scan.TornBytes = offset - scan.KeptLength;
        }

        return scan;
    }

    /// <summary>Reads one line; false when it is not a result line.</summary>
    private bool Take(ReadOnlyMemory<byte> text, long start, long end, Func<string, bool>? retry)
    {
        string? customId;
        string? type;
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            customId = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("custom_id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
            type = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("result", out var result) && result.ValueKind == JsonValueKind.Object
                && result.TryGetProperty("type", out var kind) && kind.ValueKind == JsonValueKind.String ? kind.GetString() : null;
        }
        catch (JsonException)
        {
            return false;
        }

        if (customId is null || type is null)
        {
            return false;
        }

        Lines++;
        if (retry is not null && type != ResultLine.Succeeded && retry(customId))
        {
            Dropped.Add((start, end));
            CountsByType["dropped to retry"] = CountsByType.GetValueOrDefault("dropped to retry") + 1;
            return true;
        }

        Answered.TryAdd(customId, Lines, out _);
        CountsByType[type] = CountsByType.GetValueOrDefault(type) + 1;
        return true;
    }
}
