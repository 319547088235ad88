using System.CommandLine;
using System.Text.Json;
using EvoMerge.Inference.Tokenization;

namespace EvoMerge.Cli;

/// <summary><c>evomerge tokenize MODEL_DIR "text" [--special]</c>: prints the token ids of a text as a JSON array.</summary>
public static class TokenizeCommand
{
    public static Command Create()
    {
        var dir = new Argument<DirectoryInfo>("MODEL_DIR") { Description = "A model directory with tokenizer.json (or tokenizer.model) and tokenizer_config.json." };
        var text = new Argument<string>("TEXT") { Description = "The text to tokenize; special tokens written in it (such as <|im_start|>) are single tokens." };
        var special = new Option<bool>("--special") { Description = "Add the special tokens the tokenizer adds (BOS/EOS), as transformers' add_special_tokens does." };
        var command = new Command("tokenize", "Print the token ids of a text as a JSON array.") { dir, text, special };
        command.SetAction(parse =>
        {
            var tokenizer = TextTokenizer.Load(parse.GetValue(dir)!.FullName);
            var ids = tokenizer.Encode(parse.GetValue(text)!, parse.GetValue(special));
            Console.Out.WriteLine(JsonSerializer.Serialize(ids));
            return 0;
        });
        return command;
    }
}
