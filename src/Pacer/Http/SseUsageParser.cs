using System.Text.Json;

namespace Pacer.Http;

/// <summary>
/// Watches the bytes of an Anthropic SSE stream as they pass and keeps the usage of <c>message_start</c> and the
/// cumulative usage of each <c>message_delta</c>, and notes <c>message_stop</c> and <c>error</c> events. It holds one line at
/// a time, and only the data lines of those events: text deltas are never copied.
/// </summary>
internal sealed class SseUsageParser
{
    // A usage-bearing line is a few hundred bytes; a longer one is not worth holding.
    private const int MaxLine = 1024 * 1024;

    private byte[] _line = new byte[512];
    private int _length;
    private bool _discarding;
    private EventKind _event;
    private UsageAccumulator _usage;

    private enum EventKind
    {
        Unnamed,
        Usage,
        Error,
        Other,
    }

    /// <summary>Gets the usage seen so far.</summary>
    public UsageAccumulator Usage => _usage;

    /// <summary>Gets a value indicating whether <c>message_stop</c> was seen: the stream ended as it should.</summary>
    public bool SawMessageStop { get; private set; }

    /// <summary>Gets the <c>error.type</c> of an <c>error</c> event in the stream, if one came.</summary>
    public string? ErrorType { get; private set; }

    /// <summary>Feeds the next bytes of the stream.</summary>
    public void Feed(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var end = bytes.IndexOf((byte)'\n');
            var part = end < 0 ? bytes : bytes[..end];
            Append(part);
            if (end < 0)
            {
                return;
            }

            var line = _line.AsSpan(0, _length);
            if (!_discarding)
            {
                OnLine(line.EndsWith((byte)'\r') ? line[..^1] : line);
            }

            _length = 0;
            _discarding = false;
            bytes = bytes[(end + 1)..];
        }
    }

    private void Append(ReadOnlySpan<byte> part)
    {
        if (_discarding || part.IsEmpty)
        {
            return;
        }

        // A data line of an event that carries no usage is skipped as soon as its prefix shows it.
        if (_event == EventKind.Other && _length + part.Length >= 5 && StartsWithData(part))
        {
            _discarding = true;
            return;
        }

        if (_length + part.Length > MaxLine)
        {
            _discarding = true;
            return;
        }

        if (_length + part.Length > _line.Length)
        {
            Array.Resize(ref _line, Math.Min(MaxLine, Math.Max(_line.Length * 2, _length + part.Length)));
        }

        part.CopyTo(_line.AsSpan(_length));
        _length += part.Length;
    }

    private bool StartsWithData(ReadOnlySpan<byte> part)
    {
        Span<byte> head = stackalloc byte[5];
        var fromLine = Math.Min(_length, 5);
        _line.AsSpan(0, fromLine).CopyTo(head);
        part[..(5 - fromLine)].CopyTo(head[fromLine..]);
        return head.SequenceEqual("data:"u8);
    }

    private void OnLine(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty)
        {
            // A blank line ends the event.
            _event = EventKind.Unnamed;
            return;
        }

        if (line.StartsWith("event:"u8))
        {
            var name = Value(line["event:".Length..]);
            _event = name.SequenceEqual("message_start"u8) || name.SequenceEqual("message_delta"u8) ? EventKind.Usage
                : name.SequenceEqual("error"u8) ? EventKind.Error
                : EventKind.Other;
            SawMessageStop |= name.SequenceEqual("message_stop"u8);
            return;
        }

        if (!line.StartsWith("data:"u8) || _event == EventKind.Other)
        {
            return;
        }

        var data = Value(line["data:".Length..]);
        if (_event == EventKind.Error || (_event == EventKind.Unnamed && data.IndexOf("\"error\""u8) >= 0))
        {
            var reader = new Utf8JsonReader(data);
            try
            {
                if (JsonPaths.TryReadString(ref reader, ["error", "type"], out var type))
                {
                    ErrorType = type;
                    return;
                }
            }
            catch (JsonException)
            {
                ErrorType ??= "error";
            }
        }

        UsageReader.TryRead(data, ref _usage);
    }

    private static ReadOnlySpan<byte> Value(ReadOnlySpan<byte> field) => field.StartsWith(" "u8) ? field[1..] : field;
}
