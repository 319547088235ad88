namespace EvoMerge.Merging.Recipes;

/// <summary>
/// The chat templates a recipe can name (<c>chat_template: chatml</c>), the names mergekit bundles. Each text was
/// written from the format's documentation and renders (transformers' Jinja settings) the same conversations as
/// mergekit's bundled file, except where docs/merge-semantics.md ("Chat templates") says it follows the documented
/// format instead.
/// </summary>
public static class NamedChatTemplates
{
    /// <summary>Stanford Alpaca: the last system message, a blank line, then <c>### Instruction:</c>, <c>### Input:</c> (role <c>user_context</c>) and <c>### Response:</c> blocks separated by blank lines.</summary>
    public const string Alpaca = """
        {% set system = messages | selectattr('role', 'equalto', 'system') | list %}{{ (system | last).content | trim if system else '' }}{{ '\n\n' }}{% for message in messages %}{% if message['role'] == 'user' %}{{ '### Instruction:\n' + (message['content'] | trim) }}{% elif message['role'] == 'assistant' %}{{ '### Response:\n' + (message['content'] | trim) }}{% elif message['role'] == 'user_context' %}{{ '### Input:\n' + (message['content'] | trim) }}{% endif %}{% if message['role'] in ['user', 'assistant', 'user_context'] and not loop.last %}{{ '\n\n' }}{% endif %}{% endfor %}{% if add_generation_prompt and messages[-1]['role'] != 'assistant' %}{{ '\n\n### Response:\n' }}{% endif %}
        """;

    /// <summary>ChatML: <c>&lt;|im_start|&gt;ROLE\nCONTENT&lt;|im_end|&gt;\n</c> per message.</summary>
    public const string Chatml = """
        {% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}
        """;

    /// <summary>LG EXAONE 3: <c>[|ROLE|]CONTENT</c>, then a newline after a user turn and <c>[|endofturn|]\n</c> after any other; an empty system turn first when the conversation has none.</summary>
    public const string Exaone = """
        {% for message in messages %}{% if loop.first and message['role'] != 'system' %}{{ '[|system|][|endofturn|]\n' }}{% endif %}{{ '[|' + message['role'] + '|]' + message['content'] }}{% if message['role'] == 'user' %}{{ '\n' }}{% else %}{{ '[|endofturn|]\n' }}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '[|assistant|]' }}{% endif %}
        """;

    /// <summary>Meta Llama 3: <c>bos_token</c>, then <c>&lt;|start_header_id|&gt;ROLE&lt;|end_header_id|&gt;\n\nCONTENT&lt;|eot_id|&gt;</c> per message (content trimmed), no text between turns.</summary>
    public const string Llama3 = """
        {% for message in messages %}{% if loop.first %}{{ bos_token }}{% endif %}{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n' + (message['content'] | trim) + '<|eot_id|>' }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}
        """;

    /// <summary>Mistral instruct: <c>bos_token</c>, <c> [INST] USER [/INST]</c> and <c> ASSISTANT</c> + <c>eos_token</c>, roles alternating, an optional first system message prefixed to the first user turn.</summary>
    public const string Mistral = """
        {% if messages and messages[0]['role'] == 'system' %}{% set system_message = messages[0]['content'] %}{% set loop_messages = messages[1:] %}{% else %}{% set loop_messages = messages %}{% endif %}{{ bos_token }}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('After the optional system message, roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{% if loop.first and system_message is defined %}{{ ' [INST] ' + system_message + '\n\n' + message['content'] + ' [/INST]' }}{% else %}{{ ' [INST] ' + message['content'] + ' [/INST]' }}{% endif %}{% elif message['role'] == 'assistant' %}{{ ' ' + message['content'] + eos_token }}{% else %}{{ raise_exception('Only user and assistant roles are supported, after an optional first system message') }}{% endif %}{% endfor %}
        """;

    /// <summary>The names, in the order listed in messages and docs.</summary>
    public static IReadOnlyList<string> Names { get; } = ["alpaca", "chatml", "exaone", "llama3", "mistral"];

    /// <summary>The template called <paramref name="name"/> (exact, case-sensitive, as mergekit's file lookup), or null.</summary>
    public static string? Find(string name) => name switch
    {
        "alpaca" => Alpaca,
        "chatml" => Chatml,
        "exaone" => Exaone,
        "llama3" => Llama3,
        "mistral" => Mistral,
        _ => null,
    };
}
