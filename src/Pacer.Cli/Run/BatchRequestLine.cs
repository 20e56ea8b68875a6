using System.Text.Json;

namespace Pacer.Cli.Run;

/// <summary>
/// One line of a Message Batches request file, <c>{"custom_id": "...", "params": {Messages API body}}</c>, checked:
/// either its id and the <c>params</c> body to send, or why it cannot be sent.
/// </summary>
internal sealed class BatchRequestLine
{
    public const int MaxCustomIdLength = 64;

    private BatchRequestLine(string? customId, byte[]? body, string? model, string? problem)
    {
        CustomId = customId;
        Body = body;
        Model = model;
        Problem = problem;
    }

    /// <summary>Gets the <c>custom_id</c>, when the line has a usable one (even if something else is wrong).</summary>
    public string? CustomId { get; }

    /// <summary>Gets the <c>params</c> object's bytes: the Messages API body to send.</summary>
    public byte[]? Body { get; }

    public string? Model { get; }

    /// <summary>Gets what is wrong with the line, or null when it can be sent.</summary>
    public string? Problem { get; }

    public bool IsValid => Problem is null;

    /// <summary>Checks one line: JSON object, a <c>custom_id</c> as the Batches API allows it, <c>params</c> with <c>model</c>, <c>max_tokens</c> and <c>messages</c>.</summary>
    public static BatchRequestLine Parse(string line)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            return Bad(null, "not JSON");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Bad(null, "not a JSON object");
            }

            if (!root.TryGetProperty("custom_id", out var id) || id.ValueKind != JsonValueKind.String || id.GetString() is not { Length: > 0 } customId)
            {
                return Bad(null, "no custom_id (a string of 1-64 characters)");
            }

            if (!IsValidCustomId(customId))
            {
                return Bad(null, $"custom_id '{Shorten(customId)}' must be 1-{MaxCustomIdLength} characters of a-z, A-Z, 0-9, _ and -");
            }

            if (!root.TryGetProperty("params", out var body) || body.ValueKind != JsonValueKind.Object)
            {
                return Bad(customId, "no params object");
            }

            if (!body.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(model.GetString()))
            {
                return Bad(customId, "params without model");
            }

            if (!body.TryGetProperty("max_tokens", out var maxTokens) || maxTokens.ValueKind != JsonValueKind.Number || !maxTokens.TryGetInt32(out var max) || max < 1)
            {
                return Bad(customId, "params without max_tokens (a whole number of at least 1)");
            }

            if (!body.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
            {
                return Bad(customId, "params without messages (an array)");
            }

            if (body.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True)
            {
                return Bad(customId, "params.stream is true (a batch result is a whole message)");
            }

            return new BatchRequestLine(customId, JsonSerializer.SerializeToUtf8Bytes(body), model.GetString(), null);
        }
    }

    public static bool IsValidCustomId(string customId)
    {
        if (customId.Length is 0 or > MaxCustomIdLength)
        {
            return false;
        }

        foreach (var c in customId)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Returns the same line marked as a repeat of an earlier <c>custom_id</c>.</summary>
    public BatchRequestLine AsDuplicate(long firstLine) =>
        Bad(CustomId, $"duplicate custom_id '{CustomId}' (first on line {firstLine})");

    private static BatchRequestLine Bad(string? customId, string problem) => new(customId, null, null, problem);

    private static string Shorten(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");
}
