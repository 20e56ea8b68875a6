using System.Text.Json;

namespace Pacer.Simulator.Messages;

/// <summary>
/// Reads and checks the prompt of a Messages request (tools, system, messages) into <see cref="PromptPart"/>s and
/// counts its tokens: each text by <see cref="TokenCounter"/>, plus framing of 3 tokens per request, 4 per message,
/// 8 per tool and 300 when tools are present; images and binary documents count 1,600 tokens each.
/// </summary>
internal static class PromptReader
{
    public const int RequestOverhead = 3;
    public const int MessageOverhead = 4;
    public const int ToolOverhead = 8;
    public const int ToolsPromptTokens = 300;
    public const int MediaTokens = 1600;

    public static Prompt Read(JsonElement root)
    {
        var parts = new List<PromptPart>();
        var overhead = RequestOverhead;

        if (root.TryGetProperty("tools", out var tools) && tools.ValueKind != JsonValueKind.Null)
        {
            if (tools.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidRequestException("tools: Input should be a valid list");
            }

            var index = 0;
            foreach (var tool in tools.EnumerateArray())
            {
                if (tool.ValueKind != JsonValueKind.Object)
                {
                    throw new InvalidRequestException($"tools.{index}: Input should be a valid dictionary");
                }

                var text = tool.GetRawText();
                parts.Add(new PromptPart(text, TokenCounter.Count(text) + ToolOverhead, CacheTtl(tool, $"tools.{index}")));
                index++;
            }

            overhead += index > 0 ? ToolsPromptTokens : 0;
        }

        if (root.TryGetProperty("system", out var system) && system.ValueKind != JsonValueKind.Null)
        {
            ReadContent(system, "system", parts, textOnly: true);
        }

        var messages = root.GetProperty("messages");
        var position = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var path = $"messages.{position}";
            if (message.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidRequestException($"{path}: Input should be a valid dictionary");
            }

            if (!message.TryGetProperty("role", out var role))
            {
                throw new InvalidRequestException($"{path}.role: Field required");
            }

            var roleName = role.ValueKind == JsonValueKind.String ? role.GetString() : null;
            if (roleName is not ("user" or "assistant"))
            {
                throw new InvalidRequestException($"{path}.role: Input should be 'user' or 'assistant'");
            }

            if (!message.TryGetProperty("content", out var content))
            {
                throw new InvalidRequestException($"{path}.content: Field required");
            }

            parts.Add(new PromptPart(roleName, 0, null));
            ReadContent(content, $"{path}.content", parts, textOnly: false);
            overhead += MessageOverhead;
            position++;
        }

        return new Prompt(parts, overhead);
    }

    private static void ReadContent(JsonElement content, string path, List<PromptPart> parts, bool textOnly)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            var text = content.GetString()!;
            parts.Add(new PromptPart(text, TokenCounter.Count(text), null));
            return;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidRequestException($"{path}: Input should be a valid string or list of content blocks");
        }

        var index = 0;
        foreach (var block in content.EnumerateArray())
        {
            var blockPath = $"{path}.{index}";
            if (block.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidRequestException($"{blockPath}: Input should be a valid dictionary");
            }

            if (!block.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            {
                throw new InvalidRequestException($"{blockPath}.type: Field required");
            }

            var kind = type.GetString();
            if (textOnly && kind != "text")
            {
                throw new InvalidRequestException($"{blockPath}.type: Input should be 'text'");
            }

            var (text, tokens) = kind switch
            {
                "text" => Text(block, blockPath, "text"),
                "thinking" => Text(block, blockPath, "thinking"),
                "image" or "document" => Media(block),
                _ => (block.GetRawText(), TokenCounter.Count(block.GetRawText())),
            };
            parts.Add(new PromptPart(text, tokens, CacheTtl(block, blockPath)));
            index++;
        }
    }

    private static (string Text, int Tokens) Text(JsonElement block, string path, string field)
    {
        if (!block.TryGetProperty(field, out var value) || value.ValueKind != JsonValueKind.String)
        {
            throw new InvalidRequestException($"{path}.{field}: Field required");
        }

        var text = value.GetString()!;
        return (text, TokenCounter.Count(text));
    }

    private static (string Text, int Tokens) Media(JsonElement block)
    {
        if (block.TryGetProperty("source", out var source) && source.ValueKind == JsonValueKind.Object
            && source.TryGetProperty("type", out var sourceType) && sourceType.ValueEquals("text")
            && source.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.String)
        {
            var text = data.GetString()!;
            return (text, TokenCounter.Count(text));
        }

        return (block.GetRawText(), MediaTokens);
    }

    private static TimeSpan? CacheTtl(JsonElement block, string path)
    {
        if (!block.TryGetProperty("cache_control", out var control) || control.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (control.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidRequestException($"{path}.cache_control: Input should be a valid dictionary");
        }

        if (control.TryGetProperty("ttl", out var ttl) && ttl.ValueKind == JsonValueKind.String)
        {
            return ttl.GetString() switch
            {
                "1h" => TimeSpan.FromHours(1),
                "5m" => TimeSpan.FromMinutes(5),
                _ => throw new InvalidRequestException($"{path}.cache_control.ttl: Input should be '5m' or '1h'"),
            };
        }

        return TimeSpan.Zero; // The configured default lifetime.
    }
}
