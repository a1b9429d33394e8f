// What the browser tests share besides the browser itself.
/** Spoken slowly and clearly, so the offline engine hears enough of it to write a note. */
export const LINES_FOR_BROWSER = [
  'Good morning. What brings you in today?',
  'I have had a bad headache for three days.',
  'Your blood pressure today is one hundred and fifty over ninety five.',
  'I will start amlodipine five milligrams once daily.',
  'Please follow up in two weeks.',
]
