"""The seq2seq translation tutorial, shrunk: a Lang vocabulary, a GRU encoder, a Bahdanau
attention decoder with teacher forcing, NLLLoss, Adam, greedy decoding with topk and the
attention weights it produced."""

import random

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import optim

SOS_token, EOS_token, MAX_LENGTH = 0, 1, 6
pairs = [
    ("je suis grand", "i am tall"),
    ("il est petit", "he is small"),
    ("elle est grande", "she is tall"),
    ("je suis petit", "i am small"),
    ("il est grand", "he is tall"),
    ("elle est petite", "she is small"),
    ("nous sommes grands", "we are tall"),
    ("nous sommes petits", "we are small"),
]


class Lang:
    def __init__(self, name):
        self.name = name
        self.word2index = {}
        self.word2count = {}
        self.index2word = {0: "SOS", 1: "EOS"}
        self.n_words = 2

    def addSentence(self, sentence):
        for word in sentence.split(" "):
            self.addWord(word)

    def addWord(self, word):
        if word not in self.word2index:
            self.word2index[word] = self.n_words
            self.word2count[word] = 1
            self.index2word[self.n_words] = word
            self.n_words += 1
        else:
            self.word2count[word] += 1


input_lang, output_lang = Lang("fra"), Lang("eng")
for a, b in pairs:
    input_lang.addSentence(a)
    output_lang.addSentence(b)
print(input_lang.name, input_lang.n_words, output_lang.name, output_lang.n_words)


def tensorFromSentence(lang, sentence):
    indexes = [lang.word2index[word] for word in sentence.split(" ")]
    indexes.append(EOS_token)
    return torch.tensor(indexes, dtype=torch.long).view(1, -1)


class EncoderRNN(nn.Module):
    def __init__(self, input_size, hidden_size, dropout_p=0.1):
        super().__init__()
        self.embedding = nn.Embedding(input_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, batch_first=True)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, input):
        embedded = self.dropout(self.embedding(input))
        return self.gru(embedded)


class BahdanauAttention(nn.Module):
    def __init__(self, hidden_size):
        super().__init__()
        self.Wa = nn.Linear(hidden_size, hidden_size)
        self.Ua = nn.Linear(hidden_size, hidden_size)
        self.Va = nn.Linear(hidden_size, 1)

    def forward(self, query, keys):
        scores = self.Va(torch.tanh(self.Wa(query) + self.Ua(keys)))
        scores = scores.squeeze(2).unsqueeze(1)
        weights = F.softmax(scores, dim=-1)
        context = torch.bmm(weights, keys)
        return context, weights


class AttnDecoderRNN(nn.Module):
    def __init__(self, hidden_size, output_size, dropout_p=0.1):
        super().__init__()
        self.embedding = nn.Embedding(output_size, hidden_size)
        self.attention = BahdanauAttention(hidden_size)
        self.gru = nn.GRU(2 * hidden_size, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, output_size)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, encoder_outputs, encoder_hidden, target_tensor=None):
        batch_size = encoder_outputs.size(0)
        decoder_input = torch.empty(batch_size, 1, dtype=torch.long).fill_(SOS_token)
        decoder_hidden = encoder_hidden
        decoder_outputs, attentions = [], []
        for i in range(MAX_LENGTH):
            decoder_output, decoder_hidden, attn_weights = self.forward_step(
                decoder_input, decoder_hidden, encoder_outputs
            )
            decoder_outputs.append(decoder_output)
            attentions.append(attn_weights)
            if target_tensor is not None:
                decoder_input = target_tensor[:, i].unsqueeze(1)
            else:
                _, topi = decoder_output.topk(1)
                decoder_input = topi.squeeze(-1).detach()
        decoder_outputs = torch.cat(decoder_outputs, dim=1)
        decoder_outputs = F.log_softmax(decoder_outputs, dim=-1)
        attentions = torch.cat(attentions, dim=1)
        return decoder_outputs, decoder_hidden, attentions

    def forward_step(self, input, hidden, encoder_outputs):
        embedded = self.dropout(self.embedding(input))
        query = hidden.permute(1, 0, 2)
        context, attn_weights = self.attention(query, encoder_outputs)
        input_gru = torch.cat((embedded, context), dim=2)
        output, hidden = self.gru(input_gru, hidden)
        output = self.out(output)
        return output, hidden, attn_weights


def get_data():
    n = len(pairs)
    input_ids = torch.zeros(n, MAX_LENGTH, dtype=torch.long)
    target_ids = torch.zeros(n, MAX_LENGTH, dtype=torch.long)
    for idx, (inp, tgt) in enumerate(pairs):
        a = tensorFromSentence(input_lang, inp)[0]
        b = tensorFromSentence(output_lang, tgt)[0]
        input_ids[idx, : len(a)] = a
        target_ids[idx, : len(b)] = b
    return input_ids, target_ids


torch.manual_seed(0)
random.seed(0)
hidden_size = 16
encoder = EncoderRNN(input_lang.n_words, hidden_size)
decoder = AttnDecoderRNN(hidden_size, output_lang.n_words)
print(encoder)
print(decoder)
input_ids, target_ids = get_data()
print(input_ids, target_ids, sep="\n")
encoder_optimizer = optim.Adam(encoder.parameters(), lr=0.01)
decoder_optimizer = optim.Adam(decoder.parameters(), lr=0.01)
criterion = nn.NLLLoss()
for epoch in range(1, 41):
    order = list(range(len(pairs)))
    random.shuffle(order)
    total = 0.0
    for start in range(0, len(order), 4):
        idx = torch.tensor(order[start : start + 4])
        input_tensor, target_tensor = input_ids[idx], target_ids[idx]
        encoder_optimizer.zero_grad()
        decoder_optimizer.zero_grad()
        encoder_outputs, encoder_hidden = encoder(input_tensor)
        decoder_outputs, _, _ = decoder(encoder_outputs, encoder_hidden, target_tensor)
        loss = criterion(decoder_outputs.view(-1, decoder_outputs.size(-1)), target_tensor.view(-1))
        loss.backward()
        encoder_optimizer.step()
        decoder_optimizer.step()
        total += loss.item()
    if epoch % 10 == 0:
        print(f"epoch {epoch} loss {total / 2:.4f}")
encoder.eval()
decoder.eval()
with torch.no_grad():
    for inp, tgt in pairs[:4]:
        input_tensor = tensorFromSentence(input_lang, inp)
        encoder_outputs, encoder_hidden = encoder(input_tensor)
        decoder_outputs, decoder_hidden, attn = decoder(encoder_outputs, encoder_hidden)
        _, topi = decoder_outputs.topk(1)
        decoded_ids = topi.squeeze()
        words = []
        for idx in decoded_ids:
            if idx.item() == EOS_token:
                words.append("<EOS>")
                break
            words.append(output_lang.index2word[idx.item()])
        print(">", inp, "=", tgt, "<", " ".join(words), attn.shape, attn[0, 0].argmax().item())
