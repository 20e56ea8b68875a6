using System.Text.Json;
using Pacer.Simulator.Models;

namespace Pacer.Simulator.Messages;

/// <summary>
/// Checks a Messages or count_tokens body as the real API does and reads it into a <see cref="MessageRequest"/>.
/// Shape errors throw <see cref="InvalidRequestException"/>; an unknown model throws <see cref="UnknownModelException"/>.
/// A model name may end in <c>+fault=SCRIPT</c> to script faults for the request.
/// </summary>
internal static class RequestParser
{
    public const string FaultSuffix = "+fault=";

    public static MessageRequest Parse(JsonElement root, ModelCatalog catalog, bool countTokens)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidRequestException("Input should be a valid dictionary (a JSON object)");
        }

        string[] required = countTokens ? ["model", "messages"] : ["model", "max_tokens", "messages"];
        var missing = required.Where(name => !root.TryGetProperty(name, out _)).Select(name => $"{name}: Field required").ToList();
        if (missing.Count > 0)
        {
            throw new InvalidRequestException(string.Join("; ", missing));
        }

        var modelElement = root.GetProperty("model");
        if (modelElement.ValueKind != JsonValueKind.String)
        {
            throw new InvalidRequestException("model: Input should be a valid string");
        }

        var (modelName, faults) = SplitFaults(modelElement.GetString()!);
        var maxTokens = countTokens ? 0 : ReadMaxTokens(root.GetProperty("max_tokens"));
        var messages = root.GetProperty("messages");
        if (messages.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidRequestException("messages: Input should be a valid list");
        }

        if (messages.GetArrayLength() == 0)
        {
            throw new InvalidRequestException("messages: at least one message is required");
        }

        var stream = ReadStream(root);
        var stopSequences = ReadStopSequences(root);
        CheckRange(root, "temperature", 0, 1);
        CheckRange(root, "top_p", 0, 1);
        var prompt = PromptReader.Read(root);

        var model = catalog.Find(modelName) ?? throw new UnknownModelException(modelName);
        if (!countTokens && maxTokens > model.MaxOutputTokens)
        {
            throw new InvalidRequestException(
                $"max_tokens: {maxTokens} > {model.MaxOutputTokens}, which is the maximum allowed number of output tokens for {model.Id}");
        }

        if (prompt.TotalTokens + maxTokens > model.ContextWindow)
        {
            throw new InvalidRequestException(
                $"prompt is too long: {prompt.TotalTokens} tokens + {maxTokens} max_tokens > {model.ContextWindow} maximum");
        }

        return new MessageRequest(model, faults, maxTokens, stream, stopSequences, prompt);
    }

    /// <summary>Splits <c>claude-x+fault=529,ok</c> into the model name and the fault script.</summary>
    public static (string Model, string? Faults) SplitFaults(string model)
    {
        var at = model.IndexOf(FaultSuffix, StringComparison.Ordinal);
        return at < 0 ? (model, null) : (model[..at], model[(at + FaultSuffix.Length)..]);
    }

    private static long ReadMaxTokens(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out var value))
        {
            throw new InvalidRequestException("max_tokens: Input should be a valid integer");
        }

        return value >= 1 ? value : throw new InvalidRequestException("max_tokens: Input should be greater than or equal to 1");
    }

    private static bool ReadStream(JsonElement root)
    {
        if (!root.TryGetProperty("stream", out var stream) || stream.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        return stream.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new InvalidRequestException("stream: Input should be a valid boolean"),
        };
    }

    private static string[] ReadStopSequences(JsonElement root)
    {
        if (!root.TryGetProperty("stop_sequences", out var stops) || stops.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (stops.ValueKind != JsonValueKind.Array || stops.EnumerateArray().Any(s => s.ValueKind != JsonValueKind.String))
        {
            throw new InvalidRequestException("stop_sequences: Input should be a valid list of strings");
        }

        return [.. stops.EnumerateArray().Select(s => s.GetString()!).Where(s => s.Length > 0)];
    }

    private static void CheckRange(JsonElement root, string name, double min, double max)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            throw new InvalidRequestException($"{name}: Input should be a valid number");
        }

        var number = value.GetDouble();
        if (number < min)
        {
            throw new InvalidRequestException($"{name}: Input should be greater than or equal to {min}");
        }

        if (number > max)
        {
            throw new InvalidRequestException($"{name}: Input should be less than or equal to {max}");
        }
    }
}
