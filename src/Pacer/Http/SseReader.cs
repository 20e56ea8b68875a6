using System.Text.Json;

namespace Pacer.Http;

/// <summary>
/// The one reader of an Anthropic SSE stream, fed its bytes as they pass. It finds where each whole event ends (so that
/// a relay can forward event by event), keeps the usage of <c>message_start</c> and the cumulative usage of each
/// <c>message_delta</c>, and notes <c>message_stop</c> and <c>error</c> events. It holds one line at a time, and only the
/// data lines of those events: text deltas are never copied, and nothing is allocated per event.
/// </summary>
internal sealed class SseReader
{
    // A usage-bearing line is a few hundred bytes; a longer one is not worth holding.
    private const int MaxLine = 1024 * 1024;

    private byte[] _line = new byte[512];
    private int _length;
    private bool _discarding;
    private EventKind _event;
    private bool _eventHasFields;
    private long _position;
    private UsageAccumulator _usage;

    private enum EventKind
    {
        Unnamed,
        Usage,
        Error,
        Stop,
        Other,
    }

    /// <summary>Gets the usage seen so far.</summary>
    public UsageAccumulator Usage => _usage;

    /// <summary>Gets a value indicating whether <c>message_stop</c> was seen: the stream ended as it should.</summary>
    public bool SawMessageStop { get; private set; }

    /// <summary>Gets the <c>error.type</c> of an <c>error</c> event in the stream, if one came.</summary>
    public string? ErrorType { get; private set; }

    /// <summary>Gets how many of the bytes fed so far end at an event boundary (a blank line).</summary>
    public long WholeEventBytes { get; private set; }

    /// <summary>Gets a value indicating whether the last whole event was <c>message_stop</c> or <c>error</c>: a finished Anthropic stream.</summary>
    public bool Finished { get; private set; }

    /// <summary>Feeds the next bytes of the stream.</summary>
    public void Feed(ReadOnlySpan<byte> bytes)
    {
        var start = _position;
        var consumed = 0;
        _position += bytes.Length;
        while (!bytes.IsEmpty)
        {
            var end = bytes.IndexOf((byte)'\n');
            var part = end < 0 ? bytes : bytes[..end];
            Append(part);
            if (end < 0)
            {
                return;
            }

            consumed += end + 1;
            if (_discarding)
            {
                // Only a data line (or an overlong one) is discarded: the event has a field.
                _eventHasFields = true;
            }
            else
            {
                var line = _line.AsSpan(0, _length);
                if (OnLine(line.EndsWith((byte)'\r') ? line[..^1] : line))
                {
                    WholeEventBytes = start + consumed;
                }
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
        if (_event is EventKind.Other or EventKind.Stop && _length + part.Length >= 5 && StartsWithData(part))
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

    /// <summary>Reads one line; true when it is the blank line that ends an event (or a comment block).</summary>
    private bool OnLine(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty)
        {
            // A blank line ends the event; a block without fields (a comment, a keep-alive) leaves the last event as it was.
            if (_eventHasFields)
            {
                Finished = _event is EventKind.Stop or EventKind.Error;
            }

            _event = EventKind.Unnamed;
            _eventHasFields = false;
            return true;
        }

        if (line.StartsWith("event:"u8))
        {
            _eventHasFields = true;
            var name = Value(line["event:".Length..]);
            _event = name.SequenceEqual("message_start"u8) || name.SequenceEqual("message_delta"u8) ? EventKind.Usage
                : name.SequenceEqual("error"u8) ? EventKind.Error
                : name.SequenceEqual("message_stop"u8) ? EventKind.Stop
                : EventKind.Other;
            SawMessageStop |= _event == EventKind.Stop;
            return false;
        }

        if (!line.StartsWith("data:"u8))
        {
            return false;
        }

        _eventHasFields = true;
        if (_event is EventKind.Other or EventKind.Stop)
        {
            return false;
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
                    return false;
                }
            }
            catch (JsonException)
            {
                ErrorType ??= "error";
            }
        }

        UsageReader.TryRead(data, ref _usage);
        return false;
    }

    private static ReadOnlySpan<byte> Value(ReadOnlySpan<byte> field) => field.StartsWith(" "u8) ? field[1..] : field;
}
